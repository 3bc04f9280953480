import torch
import torch.nn as nn
class M(nn.Module):
    def forward(self, x):
        return self(x)
y = M()(torch.zeros(2))

import torch
import torch.nn as nn
class M(nn.Module):
    def forward(self, x):
        return self(x)
model = M()
y = model(torch.zeros(1, 3, 8, 8))

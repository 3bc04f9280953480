import torch
import torch.nn as nn
class M(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 3, 3)
    def forward(self, x):
        while True:
            x = x + 1
        return self.conv(x)
model = M()
y = model(torch.zeros(1, 3, 8, 8))

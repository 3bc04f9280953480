import torch
import torch.nn as nn
X = torch.tensor([[[[0.0, 1.0], [2.0, 3.0]]]])
t = nn.ConvTranspose2d(1, 1, 2, stride=5000, bias=False)
t.weight.data = X
Y = t(X)

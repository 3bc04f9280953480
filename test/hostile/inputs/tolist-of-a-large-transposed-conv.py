import torch
import torch.nn as nn
t = nn.ConvTranspose2d(1, 1, 2, stride=5000, bias=False)
t.weight.data = torch.ones(1, 1, 2, 2)
X = torch.ones(1, 1, 2, 2)
Z = torch.tensor(t(X).tolist())

import torch
import torch.nn as nn
net = nn.Sequential(nn.ConvTranspose2d(1, 1, 3, stride=100000), nn.ConvTranspose2d(1, 1, 3, stride=100000))
y = net(torch.zeros(1, 1, 4, 4))

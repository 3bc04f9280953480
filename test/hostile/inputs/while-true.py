import torch
x = torch.zeros(2)
while True:
    x = x + 1
y = x

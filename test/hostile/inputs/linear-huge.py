import torch
import torch.nn as nn
fc = nn.Linear(10**9, 10**9)
y = fc(torch.zeros(1, 10**9))

import torch
变量 = torch.zeros(2, 3)
𝑥 = 变量.T

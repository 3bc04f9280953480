import torch
A = torch.ones(4000, 4000)
B = torch.matmul(A, A)
C = torch.tensor(torch.matmul(A, A))

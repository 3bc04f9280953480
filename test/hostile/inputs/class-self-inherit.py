import torch.nn as nn
class A(A):
    pass
class B(nn.Module, B):
    pass

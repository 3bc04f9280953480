import torch
class A:
    def __getattr__(self, name):
        return getattr(self, name)
a = A()
y = a.x

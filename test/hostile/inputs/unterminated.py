import torch
x = torch.zeros(2, 3
y = "unterminated
z = """never closed

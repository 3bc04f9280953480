import torch
if True:
	x = torch.zeros(2)
        y = x

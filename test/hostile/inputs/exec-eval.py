import torch
exec("import os; os.system(\"echo pwned\")")
eval("__import__(\"os\").system(\"echo pwned\")")
__import__("os").system("echo pwned")
x = torch.zeros(2)

NAME = "notes"
VERSION = "1.0.0"
DESCRIPTION = ("The 43 claims of the PyTorch study notes (written for torch 0.3/0.4): autograd, optimizers, "
               "serialization, torch.max, convolution shapes, Dataset/DataLoader and torchvision's MNIST.")
TESTED_UP_TO = "2.15.0"
# the records modules in the notes' reading order (the registry, reports and guide follow it)
RECORDS = ("claims_variable", "claims_autograd", "claims_nn", "claims_reduce", "claims_tensor", "claims_optim",
           "claims_serialize", "claims_data", "claims_gan")

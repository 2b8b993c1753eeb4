"""The ``notes`` pack: the 43 claims of the PyTorch study notes, one module per area, in the
order the registry lists them."""
from . import autograd, data, gan, nn, optim, reduce, serialize, tensor, variable

AREAS = (
    ("variable", variable),
    ("autograd", autograd),
    ("nn", nn),
    ("reduce", reduce),
    ("tensor", tensor),
    ("optim", optim),
    ("serialize", serialize),
    ("data", data),
    ("gan", gan),
)

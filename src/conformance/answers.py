"""Plain answers for readers, per claim: today's behaviour in a sentence or two, and the
setting of the note it comes from (in the kit's words, so a claim page reads on its own).

``ANSWERS[claim_id]`` is an :class:`Answer`. "Today" means the newest expectation of the claim
in the registry (the range that contains the newest torch); the release that changed it and
the evidence come from the registry, the verdicts from the results files.
Tests check that every claim of the registry has an answer.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict


@dataclass(frozen=True)
class Answer:
    today: str  # what is true on today's torch, plainly
    setting: str  # what the note was doing when it said this


_VARIABLE = ("The notes were written for torch 0.3, when autograd lived in a separate class: a tensor had "
             "to be wrapped as torch.autograd.Variable(t) to take part in gradients, and the plain values "
             "were read back through the wrapper's .data.")
_TWO_OUTPUTS = ("§7 builds one small graph with two outputs: x is a 1x4 tensor that requires grad, y = x**2, "
                "z = 4*y, output1 = z.mean() and output2 = z.sum(), and then calls backward on both outputs.")
_STYLE = ("§7 and §8 come from neural style transfer: a content loss and a style loss are computed on the "
          "features of one network, so two losses share a graph, and the style loss compares Gram "
          "matrices of feature maps.")
_NET = ("§9 defines a classifier of three blocks, each a 3x3 convolution with padding 1 and stride 1, a "
        "ReLU and a 2x2 max-pool (channels 3 -> 32 -> 64 -> 64), followed by Linear(64*3*3, 128), ReLU and "
        "Linear(128, 10), and explains the 3*3 with the output-size formula H = (W - F + 2P)/S + 1.")
_MAX = ("§10 describes torch.max(a, dim) on a 3x3 tensor of random scores: over dim 0 it returns each "
        "column's maximum with its row, over dim 1 each row's maximum with its column, and [1] of the "
        "latter serves as the predicted label on MNIST, whose classes count from 0.")
_LOSS = ("§4 and §11 print the running loss of a training loop. Under 0.3 a loss was a Variable holding a "
         "one-element tensor, so loss.data[0] read the number and total_loss += loss.data[0] summed it; "
         "§11 notes that 0.4 made losses 0-dim tensors.")
_STEP = ("§2 lists one optimisation step of a classifier: criterion = nn.CrossEntropyLoss(), loss = "
         "criterion(output, target), an SGD optimizer with lr=0.01 and momentum=0.9, then "
         "optimizer.zero_grad(), loss.backward() and optimizer.step(); §4 adds that gradients must be "
         "cleared before each backward pass because they accumulate.")
_SAVE = ("§3 gives two ways to keep a trained model: save only its parameters (torch.save(model.state_dict(), "
         "PATH), later model.load_state_dict(torch.load(PATH))), called the more flexible one, or save the "
         "whole model object (torch.save(model, PATH), later model = torch.load(PATH)).")
_DATA = ("§12 and §16 summarise how data reaches a network: a custom dataset subclasses "
         "torch.utils.data.Dataset and implements __len__ and __getitem__, and torch.utils.data.DataLoader "
         "turns it into batches, shuffles it, loads it with several processes and merges samples with "
         "collate_fn.")
_GAN = ("§15 sums up the two networks of a GAN: the discriminator ends in a Sigmoid and is trained to "
        "score real data 1 and generated data 0; the generator ends in tanh, producing pixels in -1..1, and "
        "is trained so that the discriminator scores its output 1.")
_SCALAR = ("§1 differentiates Y = w*x + b for three one-element leaves x=1, w=2, b=3 created with "
           "requires_grad=True, calls Y.backward() and prints x.grad ([2.]) and x.data ([1.]).")
_VECTOR = ("§1 then takes a random 3-element x that requires grad, y = x*2, and calls "
           "y.backward(torch.FloatTensor([1, 0.1, 0.01])), noting that plain y.backward() is not allowed "
           "for a vector.")
_DETACH = ("§6 trains only the second of two stacked modules, y = A(x) and z = B(y), in two ways: "
           "z = B(y.detach()), or y.detach_() before z = B(y), then z.backward().")

ANSWERS: Dict[str, Answer] = {
    # ---------------------------------------------------------------- Variable (§1, §5, §14)
    "variable.wraps-tensor": Answer(
        "Tensors do autograd themselves: create them with requires_grad=True (or call "
        "t.requires_grad_()). Variable(t) still runs but returns a plain torch.Tensor; .data, .grad_fn and "
        ".grad behave as the note says.", _VARIABLE),
    "variable.is-tensor": Answer(
        "There is no wrapper any more: Variable(t) is a torch.Tensor. .data returns a tensor that shares "
        "storage and does not require grad; .detach() does the same and is the safer spelling.", _VARIABLE),
    "variable.volatile": Answer(
        "volatile=True does nothing except warn that it was removed; results still require grad when their "
        "inputs do. Compute inside `with torch.no_grad():` instead.",
        "§5 says a Variable created with volatile=True (default False) computes no gradients, and that "
        "everything derived from it is volatile too: the 0.3 way to run a model for inference."),
    "autograd.no-grad-inherited": Answer(
        "Everything computed inside `with torch.no_grad():` has requires_grad=False and no grad_fn, even "
        "from inputs that require grad; outside the block recording resumes.",
        "§5's volatile flag switched gradients off for whatever was derived from a Variable; "
        "torch.no_grad() is the form that replaced it, and this claim checks that it is inherited the "
        "same way."),
    # ---------------------------------------------------------------- autograd (§1, §4, §6, §7)
    "autograd.scalar-backward": Answer(
        "As the note says: Y.backward() needs no argument for a scalar and gives x.grad = 2, w.grad = 1, "
        "b.grad = 1, leaving x's values at 1.", _SCALAR),
    "autograd.backward-all-leaves": Answer(
        "One backward() call fills .grad of every leaf that requires grad and takes part in the output; "
        "tensors that do not require grad keep .grad None.", _SCALAR),
    "autograd.nonscalar-needs-gradient": Answer(
        "backward() with no argument on a non-scalar raises RuntimeError ('grad can be implicitly created "
        "only for scalar outputs'); pass a gradient of the output's shape or reduce it first (y.sum()).",
        _VECTOR),
    "autograd.vector-backward-weights": Answer(
        "y.backward(v) computes the vector-Jacobian product J^T v, so for y = 2x and v = [1, 0.1, 0.01] "
        "x.grad is [2, 0.2, 0.02].", _VECTOR),
    "autograd.grads-accumulate": Answer(
        "Every backward pass adds into .grad: after k passes it is k times one pass's gradient, until "
        "something clears it (optimizer.zero_grad(), which today sets it to None).",
        "§4 warns that gradients must be cleared before each backward pass of a training loop; otherwise "
        "they pile up across iterations and training does not converge."),
    "autograd.detach-blocks-gradient": Answer(
        "z = B(A(x).detach()) trains only B: after z.backward() B's parameters have gradients and A's "
        "keep .grad None (not zeros).", _DETACH),
    "autograd.detach-inplace": Answer(
        "y.detach_() gives A and B the same gradients as B(y.detach()), but it changes y itself (grad_fn "
        "None, requires_grad False) and raises RuntimeError when y is a view; prefer y.detach().", _DETACH),
    "autograd.double-backward-error": Answer(
        "A second backward through a graph whose saved tensors were freed raises RuntimeError ('Trying to "
        "backward through the graph a second time ...'); the sentence around it was reworded over the "
        "releases.", _TWO_OUTPUTS),
    "autograd.retain-graph": Answer(
        "output1.backward(retain_graph=True) keeps the graph, so output2.backward() works afterwards and "
        "x.grad is the sum of both gradients.", _TWO_OUTPUTS),
    "autograd.retain-graph-default": Answer(
        "retain_graph defaults to create_graph: backward() frees the graph, backward(create_graph=True) "
        "keeps it, and an explicit retain_graph=False wins.",
        _TWO_OUTPUTS + " It quotes the documentation: retain_graph defaults to the value of create_graph."),
    "autograd.retain-variables": Answer(
        "backward(retain_variables=True) raises TypeError (unexpected keyword argument); the option is "
        "called retain_graph.",
        _TWO_OUTPUTS + " Its last paragraph explains the same option under the old name retain_variables."),
    "autograd.two-losses": Answer(
        "loss1.backward(retain_graph=True), loss2.backward(), optimizer.step() still works and lands where "
        "one step on loss1 + loss2 lands; (loss1 + loss2).backward() is the simpler spelling.",
        "§7 ends with a pattern for two losses over one network: backward the first keeping the graph, "
        "backward the second (which frees it for the next iteration), then step the optimizer."),
    "nn.content-loss-module": Answer(
        "The layer works as a pass-through that stores its loss, and its backward method backpropagates "
        "that loss when called, but autograd never calls a Module's backward: only the training loop "
        "does, explicitly.",
        _STYLE + " The content-loss module keeps target.detach() * weight, its forward stores "
        "MSE(input * weight, target) and returns the input, and its own backward(retain_graph=True) "
        "calls loss.backward; the note says it runs when the whole network backpropagates."),
    # ---------------------------------------------------------------- style, shapes (§8, §9)
    "style.gram-matrix": Answer(
        "Both ways agree: the matrix of channel-pair sums equals F F^T with F the C x (M*N) reshaped "
        "feature map (symmetric, positive semi-definite).",
        _STYLE + " §8 gives two readings of the Gram matrix of a C x M x N feature map: entry (i, j) as the "
        "sum of channel i times channel j, or each channel flattened to a row of F and F times its "
        "transpose."),
    "nn.conv-output-size": Answer(
        "A Conv2d or MaxPool2d output is floor((W - F + 2P)/S) + 1 wide (with dilation D, F becomes "
        "D*(F-1)+1); with F=3, P=1, S=1 the size is kept.", _NET),
    "nn.net-flatten-size": Answer(
        "The note's inference is wrong: the convolutions keep the size but each MaxPool2d(2) halves it, so "
        "the last map is 3x3 for square inputs of 24 to 31 pixels (28x28 MNIST fits), and a 3x3 input "
        "fails in the second pool.", _NET),
    # ---------------------------------------------------------------- torch.max (§10)
    "reduce.max-dim0": Answer(
        "torch.max(a, 0) returns each column's maximum and the row where it sits, as the note says.", _MAX),
    "reduce.max-dim1": Answer(
        "torch.max(a, 1) returns each row's maximum and its column; torch.max(scores, 1)[1] (or "
        "scores.argmax(1)) is the predicted label.", _MAX),
    "reduce.max-result-type": Answer(
        "The result is a named tuple, torch.return_types.max, with fields .values and .indices; it still "
        "unpacks and indexes as a pair.", _MAX),
    "reduce.max-ties": Answer(
        "When a row has several equal maxima, torch.max(a, dim) returns the index of the first one "
        "(documented since 1.6); before 1.6 the CPU returned the last one.",
        _MAX + " It says 'the index of the maximum' without saying which index comes back when maxima tie."),
    # ---------------------------------------------------------------- scalars (§4, §11)
    "tensor.loss-data-index": Answer(
        "loss.data[0] raises IndexError ('invalid index of a 0-dim tensor ...'): a loss is a 0-dim tensor. "
        "Write loss.item() to get the Python number.", _LOSS),
    "tensor.item": Answer(
        ".item() turns any one-element tensor into a Python number: float for floating tensors, int for "
        "integer ones, bool for bool ones.", _LOSS),
    "autograd.accumulate-tensor-keeps-graph": Answer(
        "total_loss += loss keeps every iteration's autograd graph reachable from the total, which grows "
        "linearly; total_loss += loss.item() adds a float and keeps nothing.",
        _LOSS + " It adds that summing the tensors themselves makes the total drag their autograd history "
        "along, costing memory."),
    # ---------------------------------------------------------------- training loop (§2, §4)
    "optim.crossentropy": Answer(
        "nn.CrossEntropyLoss()(output, target) takes raw scores and class indices and equals the batch mean "
        "of -log_softmax(output)[i, target[i]].", _STEP),
    "optim.zero-grad": Answer(
        "optimizer.zero_grad() leaves every .grad as None (set_to_none=True is the default since 2.0); "
        "zero_grad(set_to_none=False) fills zeros, which is what it did before 2.0.", _STEP),
    "optim.backward-fills-grads": Answer(
        "loss.backward() gives every parameter that takes part in the loss a .grad of the parameter's "
        "shape.", _STEP),
    "optim.sgd-momentum-step": Answer(
        "optimizer.step() applies PyTorch's SGD with momentum: b = mu*b + g (b = g on the first step), "
        "p = p - lr*b; that differs from the textbook v = mu*v + lr*g once the learning rate changes.",
        _STEP),
    # ---------------------------------------------------------------- serialization (§3)
    "serialize.state-dict": Answer(
        "Saving model.state_dict() and loading it with load_state_dict(torch.load(PATH)) restores every "
        "parameter, also into another class with the same parameter names, or partially with "
        "strict=False.", _SAVE),
    "serialize.whole-model": Answer(
        "torch.save(model, PATH) still works, but since 2.6 plain torch.load(PATH) refuses the file "
        "(weights_only=True is the default: UnpicklingError); torch.load(PATH, weights_only=False) loads it "
        "for files you trust. Saving the state_dict avoids the issue.", _SAVE),
    # ---------------------------------------------------------------- data (§12, §13, §16)
    "data.dataset-protocol": Answer(
        "A Dataset needs __len__ and __getitem__, and a sample may be a tuple of any length; without "
        "__getitem__ indexing raises NotImplementedError, without __len__ the default DataLoader raises "
        "TypeError.", _DATA),
    "data.getitem-types": Answer(
        "The default collation stacks numpy arrays and numbers into tensors (int labels become int64, "
        "Python floats float64, uint8 images stay uint8) and recurses into tuples, dicts and namedtuples.",
        _DATA + " §12 adds that __getitem__ may return, for example, a numpy image and an int label."),
    "data.dataloader-batches": Answer(
        "DataLoader yields batches of batch_size; the last one holds the rest unless drop_last=True.", _DATA),
    "data.dataloader-shuffle": Answer(
        "shuffle=True visits every sample once per epoch in a new order each epoch; the same "
        "torch.manual_seed reproduces the orders.", _DATA),
    "data.dataloader-workers": Answer(
        "num_workers > 0 loads in worker processes and still yields the same batches in the same order as "
        "num_workers=0; each worker gets its own random seed.", _DATA),
    "data.collate-fn": Answer(
        "collate_fn receives the list of samples of a batch and its return value is the batch, e.g. to pad "
        "sequences of different lengths, which the default refuses.", _DATA),
    "data.mnist-style-dataset": Answer(
        "The note's Dataset works (mode-'L' PIL images, transforms applied), but its hard-coded __len__ "
        "says 60000 even for a smaller file, and indexing past the real size raises IndexError; return "
        "len(self.images) instead.",
        "§13 copies an older torchvision MNIST class: it loads (images, labels) stored with torch.save under "
        "root/processed, turns each image into a PIL image with Image.fromarray(img.numpy(), mode='L'), "
        "applies transform and target_transform, and returns 60000 or 10000 from __len__."),
    "data.torchvision-mnist": Answer(
        "With the extracted MNIST files under root/MNIST/raw, MNIST(root, download=True) loads them and "
        "fetches nothing; root is the folder that contains MNIST/. Before torch 1.9 (torchvision 0.10) only "
        "the processed .pt files counted.",
        "§16 loads MNIST with torchvision.datasets.MNIST and says download may stay True: root is the folder "
        "above the data (not the training set itself), and files already there are not downloaded again."),
    # ---------------------------------------------------------------- GAN (§15)
    "gan.discriminator-sigmoid": Answer(
        "A discriminator ending in Sigmoid outputs values in (0, 1), and a BCE step with real -> 1 and "
        "fake -> 0 lowers its score of fakes.", _GAN),
    "gan.generator-tanh": Answer(
        "A generator ending in tanh outputs values in (-1, 1), and a step on BCE with target 1 for its fakes "
        "raises the discriminator's score of them.", _GAN),
}

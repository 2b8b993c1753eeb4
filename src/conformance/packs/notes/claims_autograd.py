"""Claims of the notes pack: autograd: backward, detach, retain_graph (§1, §4, §6, §7).

One record per claim: what the note says (paraphrased), what is true per release range with
its evidence, and the reach of its specs (``checks``: what they probe, each with the spec and
the breakage that shows the probe can fail; ``not_checked``: what they leave out, and why).
The specs are ``specs/spec_autograd.py``; the breakages ``tests/breakages/autograd.py``.
Imports nothing heavy: the CLI, report and diff read it without torch.
"""
from conformance import verdicts as V
from conformance.records import EVERY_RUN, Check, Claim, Expectation, NotChecked, always  # noqa: F401

CLAIMS = (
    Claim(
        "autograd.scalar-backward", (1,),
        "For leaves x=1, w=2, b=3 that require grad and Y=w*x+b, calling Y.backward() with no "
        "argument gives x.grad=[2.] (and w.grad=[1.], b.grad=[1.]); x.data stays [1.].",
        always(V.HOLDS, "As stated: dY/dx=w=2, dY/dw=x=1, dY/db=1.", EVERY_RUN),
        observe="all three grads",
        area="autograd",
    ),
    Claim(
        "autograd.backward-all-leaves", (1,),
        "One backward() call fills .grad of every leaf that requires grad, without naming them.",
        always(V.HOLDS, "Every leaf reachable from the output that requires grad gets .grad; "
                "leaves that do not require grad keep .grad None.", EVERY_RUN),
        area="autograd",
    ),
    Claim(
        "autograd.nonscalar-needs-gradient", (1,),
        "Calling backward() with no argument on a non-scalar output is an error.",
        always(V.HOLDS, "RuntimeError 'grad can be implicitly created only for scalar outputs'.", EVERY_RUN),
        observe="exception type and message",
        area="autograd",
    ),
    Claim(
        "autograd.vector-backward-weights", (1,),
        "For y=x*2, y.backward(v) with v=[1, 0.1, 0.01] gives x.grad=[2, 0.2, 0.02]: the argument "
        "weights each output, in general x.grad = J^T v.",
        always(V.HOLDS, "backward(v) computes the vector-Jacobian product J^T v.", EVERY_RUN),
        area="autograd",
    ),
    Claim(
        "autograd.grads-accumulate", (4,),
        "Gradients are added into .grad by every backward pass unless they are zeroed, which "
        "spoils training.",
        always(V.HOLDS, "After k backward passes of the same graph, .grad is k times one pass's gradient.", EVERY_RUN),
        area="autograd",
    ),
    Claim(
        "autograd.detach-blocks-gradient", (6,),
        "With z = B(A(x).detach()), z.backward() gives B's parameters gradients and A's none.",
        always(V.HOLDS, "A's parameters keep .grad None (never zeros); B's get gradients.", EVERY_RUN),
        observe="A's .grad value (None or zeros)",
        area="autograd",
    ),
    Claim(
        "autograd.detach-inplace", (6,),
        "Calling y.detach_() before z = B(y) has the same effect as B(y.detach()).",
        always(
            V.HOLDS_WITH_CAVEAT,
            "Same gradients for A and B, but detach_() changes y itself (grad_fn None, "
            "requires_grad False) and raises RuntimeError on a view ('Can't detach views in-place').",
            EVERY_RUN,
        ),
        observe="what happens to y itself (grad_fn, requires_grad, errors on views)",
        area="autograd",
    ),
    Claim(
        "autograd.double-backward-error", (7,),
        "A second backward through a graph whose buffers were freed raises an error "
        "(y=x**2, z=y*4, backward of z.mean() then of z.sum()).",
        always(V.HOLDS, "RuntimeError mentioning 'backward through the graph a second time'; "
                "the wording around it grew over releases (recorded per run).", EVERY_RUN),
        observe="exception type and full message",
        area="autograd",
    ),
    Claim(
        "autograd.retain-graph", (7,),
        "backward(retain_graph=True) on the first output lets a second output backpropagate "
        "through the shared graph; the gradients add up.",
        always(V.HOLDS, "As stated: x.grad is the sum of both outputs' gradients.", EVERY_RUN),
        area="autograd",
    ),
    Claim(
        "autograd.retain-graph-default", (7,),
        "retain_graph defaults to the value of create_graph.",
        always(V.HOLDS, "backward(create_graph=True) keeps the graph, so a second backward works; "
                "by default it is freed.", EVERY_RUN),
        area="autograd",
    ),
    Claim(
        "autograd.retain-variables", (7,),
        "retain_variables=True is another (older) name for the same option.",
        (Expectation(
            ">=1.0", V.OUTDATED,
            "The keyword no longer exists: Tensor.backward() and torch.autograd.backward() reject "
            "it with TypeError ('unexpected keyword argument'); use retain_graph.",
            since="0.4.0",
            evidence="run: TypeError on every release run (1.0.1 .. 2.15.0); older than the kit can "
            "install: renamed to retain_graph in 0.2 (pytorch/pytorch#2107), a TypeError under 0.4 "
            "(MorvanZhou/PyTorch-Tutorial#45)",
        ),),
        observe="what passing it does today",
        area="autograd",
    ),
    Claim(
        "autograd.two-losses", (7,),
        "Two losses on one network: backward the first with retain_graph=True, then the second, "
        "then optimizer.step(); the result equals one step on the sum of the losses.",
        always(V.HOLDS, "Gradients of both backward passes add up, so the step equals one on loss1+loss2.", EVERY_RUN),
        area="autograd",
    ),
    Claim(
        "nn.content-loss-module", (7,),
        "The style-transfer ContentLoss module: stores a detached, weighted target; its forward "
        "returns the input unchanged and keeps the loss; its backward(retain_graph=True) "
        "backpropagates the stored loss, and runs when the network backpropagates.",
        always(
            V.HOLDS_WITH_CAVEAT,
            "The module works as a pass-through that stores its loss, and calling its backward "
            "method backpropagates it, but autograd never calls a Module's backward method: it "
            "runs only when the training loop calls it.",
            EVERY_RUN,
        ),
        area="autograd",
    ),
)

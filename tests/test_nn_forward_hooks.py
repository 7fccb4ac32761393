"""Forward hooks with PyTorch's options, against PyTorch: ``with_kwargs`` hooks see and replace the
keyword arguments, ``always_call`` hooks run even when forward raises; and ``load_state_dict(assign=True)``
takes the checkpoint's tensors as they are."""
import pytest

import diffkit as dk

torch = pytest.importorskip("torch")


def _scaled(m):
    class Scaled(m.nn.Module):
        def forward(self, x, scale=1.0, fail=False):
            if fail:
                raise ValueError("forward failed")
            return x * scale

    return Scaled()


def _run_with_kwargs_hooks(m):
    module, log = _scaled(m), []

    def pre(mod, args, kwargs):
        log.append(("pre", sorted(kwargs)))
        return (args[0] + 1,), {**kwargs, "scale": 3.0}

    def post(mod, args, kwargs, output):
        log.append(("post", kwargs["scale"], args[0].tolist()))
        return output - 1

    module.register_forward_pre_hook(pre, with_kwargs=True)
    module.register_forward_hook(post, with_kwargs=True)
    module.register_forward_hook(lambda mod, args, output: log.append(("plain", output.tolist())))
    out = module(m.tensor([1.0, 2.0]), scale=2.0)
    return out.tolist(), log


def test_with_kwargs_hooks_see_and_replace_keyword_arguments():
    assert _run_with_kwargs_hooks(dk) == _run_with_kwargs_hooks(torch) == (
        [5.0, 8.0], [("pre", ["scale"]), ("post", 3.0, [2.0, 3.0]), ("plain", [5.0, 8.0])])


def _run_always_called(m):
    module, log = _scaled(m), []
    module.register_forward_hook(lambda mod, args, output: log.append(("always", output)), always_call=True)
    module.register_forward_hook(lambda mod, args, output: log.append(("plain", output)))
    with pytest.raises(ValueError, match="forward failed"):
        module(m.ones(1), fail=True)
    module(m.ones(1))
    return [(kind, None if output is None else output.tolist()) for kind, output in log]


def test_always_call_hooks_run_when_forward_raises():
    assert _run_always_called(dk) == _run_always_called(torch) == [
        ("always", None), ("always", [1.0]), ("plain", [1.0])]


def test_a_with_kwargs_pre_hook_must_return_args_and_kwargs():
    for m in (dk, torch):
        module = _scaled(m)
        module.register_forward_pre_hook(lambda mod, args, kwargs: args, with_kwargs=True)
        with pytest.raises(RuntimeError, match=r"must return None or a tuple of \(new_args, new_kwargs\)"):
            module(m.ones(1), scale=2.0)


def test_load_state_dict_with_assign_takes_the_checkpoints_dtype_and_memory():
    results = []
    for m in (dk, torch):
        layer = m.nn.Linear(2, 2)
        state = {"weight": m.ones(2, 2, dtype=m.float64), "bias": m.zeros(2, dtype=m.float64)}
        layer.load_state_dict(state, assign=True)
        state["weight"].add_(1.0)  # the parameter is the checkpoint's tensor, not a copy
        results.append((str(layer.weight.dtype).rsplit(".", 1)[-1], layer.weight.requires_grad,
                        layer.weight.detach().numpy().tolist()))
    assert results[0] == results[1] == ("float64", True, [[2.0, 2.0], [2.0, 2.0]])

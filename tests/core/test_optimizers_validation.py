"""Bad hyper-parameters raise ConfigError with one sentence that names the key.

The invalid values are torch's own conditions (torch/optim/*.py, 2.13):
negative lr/eps/weight_decay/..., betas outside [0, 1), rho outside [0, 1],
Nesterov without momentum or with dampening.
"""

from __future__ import annotations

import pytest

from optiviz_gui.core.errors import ConfigError
from optiviz_gui.core.optimizers import OPTIMIZERS, make_optimizer

NONNEGATIVE = {
    "sgd": ["lr", "momentum", "weight_decay"],
    "rmsprop": ["lr", "alpha", "eps", "weight_decay", "momentum"],
    "adam": ["lr", "eps", "weight_decay"],
    "adamw": ["lr", "eps", "weight_decay"],
    "adagrad": ["lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps"],
    "adadelta": ["lr", "eps", "weight_decay"],
    "adamax": ["lr", "eps", "weight_decay"],
    "nadam": ["lr", "eps", "weight_decay", "momentum_decay"],
    "radam": ["lr", "eps", "weight_decay"],
    "rprop": ["lr"],
    "asgd": ["lr", "weight_decay"],
    "adafactor": ["lr", "weight_decay"],
    "lbfgs": ["lr"],
    "muon": ["lr", "momentum", "weight_decay"],
}
BAD = [(name, key, -0.5) for name, keys in NONNEGATIVE.items() for key in keys]
for _name in ("adam", "adamw", "adamax", "nadam", "radam"):
    BAD += [(_name, "betas", (1.0, 0.999)), (_name, "betas", (-0.1, 0.999)),
            (_name, "betas", (0.9, 1.5)), (_name, "betas", (0.9, -1e-9))]
BAD += [("adadelta", "rho", 1.5), ("adadelta", "rho", -0.1)]


def one_sentence(message: str) -> bool:
    return message.endswith(".") and message.count(". ") == 0 and "\n" not in message


def test_table_covers_every_optimizer():
    assert set(NONNEGATIVE) == set(OPTIMIZERS)


@pytest.mark.parametrize("name, key, value", BAD, ids=[f"{n}-{k}={v}" for n, k, v in BAD])
def test_bad_value_names_the_key(name, key, value):
    with pytest.raises(ConfigError) as info:
        make_optimizer(name, **{key: value})
    message = str(info.value)
    assert OPTIMIZERS[name].title in message and one_sentence(message)
    if key == "betas":
        index = 0 if not 0.0 <= value[0] < 1.0 else 1       # torch checks betas[0] first
        assert f"betas[{index}]" in message and str(value[index]) in message
    else:
        assert key in message and str(value) in message


def test_betas_message_reads_like_torchs_condition():
    with pytest.raises(ConfigError, match=r"^Adam: betas\[1\] must be in \[0, 1\), got 1\.5\.$"):
        make_optimizer("adam", betas=(0.9, 1.5))


@pytest.mark.parametrize("hyper", [{"momentum": 0.0, "nesterov": True},
                                   {"momentum": 0.9, "dampening": 0.1, "nesterov": True}])
def test_nesterov_needs_momentum_and_no_dampening(hyper):
    with pytest.raises(ConfigError, match="nesterov"):
        make_optimizer("sgd", lr=0.1, **hyper)


@pytest.mark.parametrize("name, hyper", [
    ("adadelta", {"rho": 0.0}), ("adadelta", {"rho": 1.0}),       # rho's interval is closed
    ("adam", {"betas": (0.0, 0.0)}), ("rmsprop", {"alpha": 5.0}),   # RMSprop only needs α ≥ 0
    ("sgd", {"dampening": -2.0}),                                   # torch does not check dampening
    ("adagrad", {"lr": 0.0, "eps": 0.0}),
])
def test_boundary_values_torch_accepts_are_accepted(name, hyper):
    assert make_optimizer(name, **hyper).hp.items() >= hyper.items()


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_wrong_types_and_unknown_keys_name_the_key(name):
    cls = OPTIMIZERS[name]
    with pytest.raises(ConfigError, match="'momentun'"):
        cls(momentun=0.9)
    with pytest.raises(ConfigError, match="lr must be a number"):
        cls(lr="0.1")
    with pytest.raises(ConfigError, match="lr must be a finite number"):
        cls(lr=float("nan"))
    if "maximize" in cls().hp:                    # LBFGS and Muon have no maximize
        with pytest.raises(ConfigError, match="maximize must be true or false"):
            cls(maximize=1)
    if "betas" in cls().hp:
        with pytest.raises(ConfigError, match="betas must be a pair"):
            cls(betas=(0.9,))
        with pytest.raises(ConfigError, match=r"betas\[1\] must be a number"):
            cls(betas=(0.9, None))


def test_unknown_optimizer_lists_the_known_ones():
    with pytest.raises(ConfigError, match="Unknown optimizer 'adamm'.*adamw.*radam"):
        make_optimizer("adamm")


def test_adamw_has_no_decoupled_weight_decay_keyword_like_torch():
    with pytest.raises(ConfigError, match="decoupled_weight_decay"):
        make_optimizer("adamw", decoupled_weight_decay=False)

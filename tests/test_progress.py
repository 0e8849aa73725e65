"""tqdm progress for long library calls: on in a notebook/terminal, off in workflow jobs (stderr to
a log file), forced by True/False or NEUROGEN_PROGRESS; results do not depend on it."""

from __future__ import annotations

import io
import sys
import types

import numpy as np
import pytest
import torch

from neurogen import progress

torch.set_num_threads(1)


@pytest.fixture
def no_env(monkeypatch):
    monkeypatch.delenv("NEUROGEN_PROGRESS", raising=False)
    monkeypatch.delitem(sys.modules, "IPython", raising=False)
    monkeypatch.delitem(sys.modules, "snakemake.iocontainers", raising=False)


def test_auto_is_off_when_stderr_is_a_file(no_env, monkeypatch):
    monkeypatch.setattr(sys, "stderr", io.StringIO())  # a Snakemake job: stderr is the log file
    assert progress.interactive() is False
    assert progress.bar(None, 10, "x") is None


def test_auto_is_on_in_a_terminal_and_in_ipython(no_env, monkeypatch):
    class Tty(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr(sys, "stderr", Tty())
    assert progress.interactive() is True
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=lambda: object()))
    assert progress.interactive() is True
    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=lambda: None))
    assert progress.interactive() is False  # IPython imported but not running (e.g. a library import)


def test_auto_is_off_in_a_snakemake_script_job_even_on_a_terminal(no_env, monkeypatch):
    class Tty(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr(sys, "stderr", Tty())
    monkeypatch.setitem(sys.modules, "snakemake.iocontainers", types.ModuleType("snakemake.iocontainers"))
    assert progress.interactive() is False


def test_environment_overrides_auto(no_env, monkeypatch):
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    monkeypatch.setenv("NEUROGEN_PROGRESS", "1")
    assert progress.interactive() is True
    monkeypatch.setenv("NEUROGEN_PROGRESS", "0")
    assert progress.interactive() is False
    assert progress.wanted(True) is True and progress.wanted(False) is False
    with pytest.raises(TypeError, match="progress must be None, True or False"):
        progress.wanted("yes")


@pytest.fixture(scope="module")
def small():
    from neurogen.hh.model import Model, load_space

    sp = load_space("small")
    return Model(sp), torch.as_tensor(np.tile(sp.default, (3, 1)))


def test_simulate_bar_when_asked_none_in_a_job_same_result(small, no_env, capsys):
    from neurogen.hh.model import simulate_cclamp

    model, p = small
    on = simulate_cclamp(p, [0.0, 10.0], dt_ms=5.0, model=model, progress=True)
    err = capsys.readouterr().err
    assert "simulate 3 neuron(s) x 2 stimuli" in err and "step" in err
    off = simulate_cclamp(p, [0.0, 10.0], dt_ms=5.0, model=model, progress=None)  # pytest: stderr not a tty
    assert capsys.readouterr().err == ""
    torch.testing.assert_close(on, off, rtol=0, atol=0)


def test_simulate_callback_still_called_every_tenth(small):
    from neurogen.hh.model import simulate_cclamp

    model, p = small
    calls = []
    simulate_cclamp(p, [0.0], dt_ms=5.0, model=model, progress=lambda n, tot: calls.append((n, tot)))
    # every tenth of the 15 s protocol, up to the last recorded sample (11 s)
    assert calls == [(300 * k, 3000) for k in range(1, 8)]


def test_training_bar_over_epochs(tmp_path, no_env, capsys):
    from epgan_toy import make_backend, write_dataset

    from neurogen.epgan import TrainConfig
    from neurogen.epgan.train import Trainer

    h5 = tmp_path / "train.h5"
    write_dataset(h5, 40, seed=1)
    cfg = dict(
        epochs=2,
        batch_size=16,
        latent=8,
        generator_widths=[16, 12, 8],
        critic_widths=[8],
        n_critic=1,
        val_fraction=0.1,
        val_simulate=0,
        voltage_traces=1,
        chunk_size=20,
    )
    seen = []
    tr = Trainer(TrainConfig.from_dict(cfg, seed=3), make_backend(), h5, ckpt_path=tmp_path / "a.pt")
    assert tr.fit(progress=True)
    assert "EP-GAN training" in capsys.readouterr().err
    tr = Trainer(TrainConfig.from_dict(cfg, seed=3), make_backend(), h5, ckpt_path=tmp_path / "b.pt")
    assert tr.fit(progress=lambda t: seen.append(t.epoch))
    assert seen == [1, 2] and "EP-GAN training" not in capsys.readouterr().err


def test_voltage_clamp_bar_when_asked(small, no_env, capsys):
    from neurogen.hh.model import simulate_vclamp

    model, p = small
    on = simulate_vclamp(p, [-60.0, -40.0], dt_ms=0.5, model=model, progress=True)
    assert "voltage clamp 3 neuron(s) x 2 levels" in capsys.readouterr().err
    off = simulate_vclamp(p, [-60.0, -40.0], dt_ms=0.5, model=model)
    assert capsys.readouterr().err == ""
    torch.testing.assert_close(on, off, rtol=0, atol=0)

"""The "Neural network" page of the surface picker: the data, the network and its plane.

A small MLP (core/surfaces/mlp.py) on a generated 2-D data set: which set (moons,
circles, xor, spiral, blobs), how many points, their noise and seed; the hidden
layers ("8, 8": two layers of eight units), the activation; the plane the map shows
(random filter-normalised directions from a seed, or the PCA of the runs' paths).
Every setting is taken on Enter (each rebuilds the network) and requested as the
session file's object, through ``make_surface``; a refused value is red with
torch's-style reason under the page. "Fit the plane to the paths" asks the model
for the PCA plane of the runs as they are (``plane_fit_requested``).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import (QComboBox, QGridLayout, QLabel, QLineEdit, QPushButton,
                               QWidget)

from ...core.errors import ConfigError
from ...core.surfaces import make_surface
from ...core.surfaces.activations import ACTIVATIONS
from ...core.surfaces.datasets import GENERATORS
from ...core.surfaces.mlp import DEFAULTS, PLANES
from .numbers import NumberBox, ProblemLabel

MLP = "mlp"


class NetworkSettings(QWidget):
    """See the module docstring; ``surface_requested(surface)``, ``plane_fit_requested()``."""

    surface_requested = Signal(object)
    plane_fit_requested = Signal()

    def __init__(self, sim, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sim = sim                    # read only: requests go out as signals
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        self.error = ProblemLabel(self)
        self.data = self._combo(GENERATORS, "The labelled 2-D points the network learns")
        self.n = self._box("n", 10, 2000, 10, True, "Number of data points")
        self.noise = self._box("noise", 0.0, 10.0, 0.05, False, "Noise of the generated points")
        self.seed = self._box("seed", 0, 2**31 - 1, 1, True,
                              "Seed of the data and of the network's initial weights θ₀")
        self.hidden = QLineEdit(self)
        self.hidden.setToolTip("Hidden layers' sizes, e.g. 8, 8 (at most 4 layers of 32 units; "
                               "empty: logistic regression); Enter applies")
        self.hidden.returnPressed.connect(self._edited)
        self.activation = self._combo(tuple(ACTIVATIONS), "The hidden units' activation")
        self.plane = self._combo(PLANES, "The plane the map shows: random filter-normalised "
                                         "directions, or the PCA of the runs' paths")
        self.plane_seed = self._box("plane seed", 0, 2**31 - 1, 1, True,
                                    "Seed of the plane's random directions")
        self.fit = QPushButton("Fit the plane to the paths", self)
        self.fit.setToolTip("The plane through θ₀ that best fits every run's path (PCA), so "
                            "you see where training went; the runs keep their θ")
        self.fit.clicked.connect(self.plane_fit_requested)
        rows = (("data", self.data, "n", self.n), ("noise", self.noise, "seed", self.seed),
                ("hidden", self.hidden, "activation", self.activation),
                ("plane", self.plane, "plane seed", self.plane_seed))
        for r, (a, wa, b, wb) in enumerate(rows):
            for c, (text, widget) in enumerate(((a, wa), (b, wb))):
                label = QLabel(text, self)
                label.setToolTip(widget.toolTip())
                grid.addWidget(label, r, 2 * c)
                grid.addWidget(widget, r, 2 * c + 1)
        grid.addWidget(self.fit, len(rows), 0, 1, 4)
        grid.addWidget(self.error, len(rows) + 1, 0, 1, 4)
        self._show_spec(DEFAULTS)                # what picking "Neural network" starts from

    def _combo(self, items, tip: str) -> QComboBox:
        combo = QComboBox(self)
        for item in items:
            combo.addItem(str(item), item)
        combo.setToolTip(tip)
        combo.currentIndexChanged.connect(self._edited)
        return combo

    def _box(self, name, low, high, step, whole, tip) -> NumberBox:
        box = NumberBox(low, high, step=step, name=name, parent=self, whole=whole,
                        tracking=False)
        box.setToolTip(tip)
        box.valueChanged.connect(self._edited)
        self.error.watch(box)
        return box

    # -------------------------------------------------------- from the model
    def show_surface(self, surface) -> None:
        """Show the model's network surface without requests."""
        self._show_spec({**DEFAULTS, **surface.to_dict()})

    def _show_spec(self, spec: dict) -> None:
        for combo, key in ((self.data, "data"), (self.activation, "activation"),
                           (self.plane, "plane")):
            with QSignalBlocker(combo):
                combo.setCurrentIndex(max(0, combo.findData(spec[key])))
        for box, key in ((self.n, "n"), (self.noise, "noise"), (self.seed, "seed"),
                         (self.plane_seed, "plane_seed")):
            if box.value() != spec[key]:
                box.show_value(spec[key])
        hidden = ", ".join(str(h) for h in spec["hidden"])
        if self.hidden.text() != hidden:
            self.hidden.setText(hidden)
        self.error.say(None)

    def spec(self) -> dict:
        """The session file's surface object the page shows."""
        text = self.hidden.text().replace(",", " ").split()
        try:
            hidden = [int(h) for h in text]
        except ValueError:
            raise ConfigError(f"hidden must be whole numbers such as 8, 8, got "
                              f"{self.hidden.text()!r}.") from None
        return {"kind": MLP, "data": self.data.currentData(), "n": int(self.n.value()),
                "noise": self.noise.value(), "seed": int(self.seed.value()),
                "hidden": hidden, "activation": self.activation.currentData(),
                "plane": self.plane.currentData(), "plane_seed": int(self.plane_seed.value())}

    # ------------------------------------------------------------- requests
    def request(self) -> None:
        """Request the network the page shows (its kind newly picked too)."""
        try:
            surface = make_surface(self.spec(), Path("."))
        except ConfigError as e:
            self.error.say(str(e))
            return
        self.error.say(None)
        self.surface_requested.emit(surface)

    def _edited(self, *_) -> None:
        if self.sim.surface.to_dict().get("kind") == MLP:
            self.request()

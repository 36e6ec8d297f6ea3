"""OptiViz: watch gradient descent, momentum, RMSprop, Adam and friends move on a loss surface."""

__version__ = "0.1.0"

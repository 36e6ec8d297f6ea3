"""The model: surfaces, optimizers, simulation and session file. numpy only, never Qt."""

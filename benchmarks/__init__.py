"""Speed and memory figures against naive baselines, each measured in the same run."""

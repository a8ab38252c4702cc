"""The benchmark and the synthetic data it runs on; not on the app's path."""

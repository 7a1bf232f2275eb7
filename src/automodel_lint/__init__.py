"""automodel-lint: catch Hugging Face checkpoints loaded with the wrong Auto class."""

__version__ = "0.1.0"

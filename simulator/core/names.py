"""Names every stage agrees on, defined once: the dataset's splits, the label of examples without
a tool call, and the user languages toolsim speaks."""

SPLITS: tuple[str, ...] = ("train", "validation", "test")
NO_TOOL = "(none)"  # the cell / tool label of examples that call no tool
LANGUAGES: tuple[str, ...] = ("en", "zh")

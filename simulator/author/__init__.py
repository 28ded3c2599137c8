"""Author: help people widen a pack — generated `say` variants (`expand`), new personas along
diversity axes (`personas`), and views of the tool graph.

Takes a loaded pack or the persona library; gives YAML for a human to review.
"""

"""Model analysis: per-layer shapes, parameters and MACs."""

from src.analysis.layer_summary import LayerRow, LayerTable, layer_summary

__all__ = ["LayerRow", "LayerTable", "layer_summary"]

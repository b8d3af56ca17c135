"""The chart workstation: `/chart`, the symbol-picker fragment, drawings and chart preferences."""

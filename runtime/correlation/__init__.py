"""In-process executor of correlation-histogram template instances (``executor:
correlation_histogram``): bounded timeseries history, incremental scipp histograms, da00 in and
out. Modules import scipp and confluent-kafka lazily; nothing here is needed by ``wfspec check``.
"""

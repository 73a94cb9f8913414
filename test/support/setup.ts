// Tests read metrics through the handlers' return values, not through EMF lines on stdout.
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';

"""jobclass training side: taxonomy, text normalisation, features, models, evaluation and artifacts."""

"""Sentiment analysis with an LSTM (the course's third homework, Lab 1), corrected, on real reviews offline."""

from src.experiments.command import Experiment
from src.experiments.sentiment.config import SentimentConfig

SENTIMENT = Experiment(
    name="sentiment",
    config=SentimentConfig,
    help="LSTM sentiment analysis of movie reviews: the course's preset beside a practitioner's (hw3 lab 1)",
    description="Classifies movie reviews as positive or negative with an embedding, an LSTM over packed "
    "sequences and a linear layer. Trains the `default` preset (128-dimensional embedding, bidirectional, "
    "dropout) and the `course` preset (the notebook's settings exactly) in turn, keeps each one's epoch with "
    "the lowest validation loss, tests it and compares both side by side and with a bag-of-words baseline "
    "(TF-IDF of words and bigrams, logistic regression) fitted on the same split. Reviews: the embedded Rotten "
    "Tomatoes snippets, or IMDB from --data. Classify your own text with `predict RUN --text ...`.",
    steps="src.experiments.sentiment.steps:SentimentSteps",
)
COMMANDS = (SENTIMENT,)

__all__ = ["COMMANDS", "SENTIMENT", "SentimentConfig"]

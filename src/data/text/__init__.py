"""Movie reviews: sources (embedded Rotten Tomatoes, IMDB as CSV, folder or parquet), tokens, vocabulary, batches."""

from src.data.text.encoded import EncodedReviews, encode_reviews
from src.data.text.review_datamodule import ReviewDataModule
from src.data.text.reviews import Reviews, ReviewSplits, stratified_split
from src.data.text.sources import load_reviews
from src.data.text.tokenizer import stop_words, tokenize
from src.data.text.vocabulary import Vocabulary

__all__ = [
    "EncodedReviews",
    "ReviewDataModule",
    "ReviewSplits",
    "Reviews",
    "Vocabulary",
    "encode_reviews",
    "load_reviews",
    "stop_words",
    "stratified_split",
    "tokenize",
]

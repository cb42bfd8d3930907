//! automod (being written)

//! Speech analytics (in progress).

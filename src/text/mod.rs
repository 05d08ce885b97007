//! Reading a candidate's words: sentences, a few closed word lists, and
//! where a rubric's signals occur. Plain functions over text and content,
//! below everything that uses them: the graders score with them, and the
//! interview engine picks its follow-up probes with them.

pub mod lexicon;
pub mod sentences;
pub mod signals;

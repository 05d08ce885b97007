//! Settings that must lie within bounds, parsed into types that hold only
//! such values. A bad value fails start-up as the configuration is read,
//! naming the setting (`limits.idle_timeout_seconds: must be from 1 to
//! 3600`), and code holding a setting never checks it again.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A whole number from `MIN` to `MAX`, both included. The bounds sit in the
/// field's type, so a setting's range is read where the setting is declared.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Bounded<T, const MIN: u64, const MAX: u64>(T);

/// Why a number was refused: it names the range, not the setting; the
/// configuration loader adds the setting's name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OutOfRange {
    #[error("must be from {0} to {1}")]
    Between(u64, u64),
    #[error("must be at most {0}")]
    AtMost(u64),
}

impl<T: Copy + TryInto<u64>, const MIN: u64, const MAX: u64> Bounded<T, MIN, MAX> {
    pub fn new(value: T) -> Result<Self, OutOfRange> {
        match value.try_into() {
            Ok(n) if (MIN..=MAX).contains(&n) => Ok(Bounded(value)),
            _ if MIN == 0 => Err(OutOfRange::AtMost(MAX)),
            _ => Err(OutOfRange::Between(MIN, MAX)),
        }
    }

    /// A built-in default. Defaults are constants of this crate, and the
    /// test that loads the default configuration covers every one.
    pub(super) fn default_of(value: T) -> Self {
        match Self::new(value) {
            Ok(bounded) => bounded,
            Err(e) => panic!("a built-in default {e}"),
        }
    }

    pub fn get(self) -> T {
        self.0
    }
}

impl<T: fmt::Debug, const MIN: u64, const MAX: u64> fmt::Debug for Bounded<T, MIN, MAX> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl<T: fmt::Display, const MIN: u64, const MAX: u64> fmt::Display for Bounded<T, MIN, MAX> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl<T: Serialize, const MIN: u64, const MAX: u64> Serialize for Bounded<T, MIN, MAX> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de, T, const MIN: u64, const MAX: u64> Deserialize<'de> for Bounded<T, MIN, MAX>
where
    T: Copy + TryInto<u64> + Deserialize<'de>,
{
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Bounded::new(T::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

/// A real number setting that holds only values `$within` accepts.
macro_rules! real_within {
    ($(#[$doc:meta])* $name:ident($real:ty), $within:expr, $range:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, PartialOrd, Serialize)]
        #[serde(transparent)]
        pub struct $name($real);

        impl $name {
            pub fn new(value: $real) -> Result<Self, &'static str> {
                let within: fn($real) -> bool = $within;
                if within(value) {
                    Ok($name(value))
                } else {
                    Err($range)
                }
            }

            /// A built-in default (see `Bounded::default_of`).
            pub(super) fn default_of(value: $real) -> Self {
                Self::new(value).unwrap_or_else(|e| panic!("a built-in default {e}"))
            }

            pub fn get(self) -> $real {
                self.0
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                $name::new(<$real>::deserialize(deserializer)?).map_err(serde::de::Error::custom)
            }
        }
    };
}

real_within!(
    /// A fraction strictly between 0 and 1: a voice-activity score threshold
    /// at 0 would call silence speech, at 1 nothing.
    OpenFraction(f32),
    |v| v > 0.0 && v < 1.0,
    "must be between 0 and 1"
);

real_within!(
    /// A score on the rubric's scale, from 1 to 4.
    ScoreLevel(f64),
    |v| (1.0..=4.0).contains(&v),
    "must be from 1 to 4"
);

/// Text with something in it besides white space, trimmed.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct NonBlank(String);

impl NonBlank {
    pub fn new(text: &str) -> Result<Self, &'static str> {
        match text.trim() {
            "" => Err("must not be empty"),
            trimmed => Ok(NonBlank(trimmed.to_owned())),
        }
    }

    /// A built-in default (see `Bounded::default_of`).
    pub(super) fn default_of(text: &str) -> Self {
        Self::new(text).unwrap_or_else(|e| panic!("a built-in default {e}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl PartialEq<&str> for NonBlank {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl<'de> Deserialize<'de> for NonBlank {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        NonBlank::new(&String::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_outside_its_bounds_is_refused_naming_the_range() {
        type Workers = Bounded<usize, 1, 16>;
        assert_eq!(Workers::new(16).map(Bounded::get), Ok(16));
        assert_eq!(Workers::new(0), Err(OutOfRange::Between(1, 16)));
        assert_eq!(
            Workers::new(17).unwrap_err().to_string(),
            "must be from 1 to 16"
        );
        type Retries = Bounded<u32, 0, 100>;
        assert_eq!(
            Retries::new(101).unwrap_err().to_string(),
            "must be at most 100"
        );
        let parsed: Result<Workers, _> = serde_json::from_str("0");
        assert!(parsed.unwrap_err().to_string().contains("from 1 to 16"));
        let parsed: Workers = serde_json::from_str("4").unwrap();
        assert_eq!(
            (parsed.get(), serde_json::to_string(&parsed).unwrap()),
            (4, "4".into())
        );
    }

    #[test]
    fn fractions_levels_and_text_hold_only_what_they_say() {
        assert!(OpenFraction::new(0.0).is_err());
        assert!(OpenFraction::new(1.0).is_err());
        assert!(OpenFraction::new(f32::NAN).is_err());
        assert_eq!(OpenFraction::new(0.5).map(OpenFraction::get), Ok(0.5));
        assert!(ScoreLevel::new(4.5).is_err());
        assert!(ScoreLevel::new(f64::NAN).is_err());
        assert_eq!(ScoreLevel::new(3.5).map(ScoreLevel::get), Ok(3.5));
        assert!(NonBlank::new(" \t").is_err());
        assert_eq!(NonBlank::new(" tts-1 ").unwrap().as_str(), "tts-1");
    }
}

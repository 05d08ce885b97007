//! WAV input for `mockloop transcribe` and the tests: 16 kHz PCM, any
//! channel count (averaged to mono). Other rates are refused with the
//! command that converts them, rather than resampled badly here.

use std::path::Path;

use super::{SAMPLE_RATE, Samples};

#[derive(Debug, thiserror::Error)]
pub enum WavError {
    #[error("{path}: not a readable WAV file ({reason})")]
    Unreadable { path: String, reason: String },
    #[error(
        "{path}: sample rate is {rate} Hz; speech must be {SAMPLE_RATE} Hz mono \
         (convert with: sox IN.wav -r {SAMPLE_RATE} -c 1 -b 16 OUT.wav)"
    )]
    Rate { path: String, rate: u32 },
    #[error("{path}: {bits}-bit {format} samples are not supported (use 16-bit PCM)")]
    Format {
        path: String,
        bits: u16,
        format: &'static str,
    },
}

/// Reads `path` as mono samples in [-1, 1] at [`SAMPLE_RATE`].
pub fn read(path: &Path) -> Result<Samples, WavError> {
    let name = path.display().to_string();
    let unreadable = |e: hound::Error| WavError::Unreadable {
        path: name.clone(),
        reason: e.to_string(),
    };
    let reader = hound::WavReader::open(path).map_err(unreadable)?;
    let spec = reader.spec();
    if spec.sample_rate != SAMPLE_RATE {
        return Err(WavError::Rate {
            path: name,
            rate: spec.sample_rate,
        });
    }
    let channels = usize::from(spec.channels.max(1));
    let interleaved: Vec<f32> = match (spec.sample_format, spec.bits_per_sample) {
        (hound::SampleFormat::Int, bits @ (8 | 16 | 24 | 32)) => {
            let full_scale = (1i64 << (bits - 1)) as f32;
            reader
                .into_samples::<i32>()
                .map(|s| s.map(|v| v as f32 / full_scale))
                .collect::<Result<_, _>>()
                .map_err(unreadable)?
        }
        (hound::SampleFormat::Float, 32) => reader
            .into_samples::<f32>()
            .collect::<Result<_, _>>()
            .map_err(unreadable)?,
        (format, bits) => {
            return Err(WavError::Format {
                path: name,
                bits,
                format: match format {
                    hound::SampleFormat::Int => "integer",
                    hound::SampleFormat::Float => "float",
                },
            });
        }
    };
    // A float file can hold NaN or infinity, which no microphone produces
    // and which would poison every sum the recogniser makes.
    if interleaved.iter().any(|s| !s.is_finite()) {
        return Err(WavError::Unreadable {
            path: name,
            reason: "it holds a sample that is not a finite number".into(),
        });
    }
    let mono: Vec<f32> = interleaved
        .chunks(channels)
        .map(|frame| (frame.iter().sum::<f32>() / frame.len() as f32).clamp(-1.0, 1.0))
        .collect();
    Ok(mono.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path, rate: u32, channels: u16, samples: &[i16]) {
        let spec = hound::WavSpec {
            channels,
            sample_rate: rate,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut w = hound::WavWriter::create(path, spec).unwrap();
        for &s in samples {
            w.write_sample(s).unwrap();
        }
        w.finalize().unwrap();
    }

    #[test]
    fn stereo_is_averaged_and_other_rates_are_refused_with_the_fix() {
        let dir = tempfile::tempdir().unwrap();
        let stereo = dir.path().join("s.wav");
        write(&stereo, 16_000, 2, &[16_384, 0, -32_768, -32_768]);
        assert_eq!(&*read(&stereo).unwrap(), &[0.25, -1.0]);
        let cd = dir.path().join("cd.wav");
        write(&cd, 44_100, 1, &[0; 10]);
        let err = read(&cd).unwrap_err().to_string();
        assert!(err.contains("44100 Hz") && err.contains("sox"), "{err}");
        let nan = dir.path().join("nan.wav");
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: 16_000,
            bits_per_sample: 32,
            sample_format: hound::SampleFormat::Float,
        };
        let mut w = hound::WavWriter::create(&nan, spec).unwrap();
        for s in [0.5, f32::NAN, f32::INFINITY] {
            w.write_sample(s).unwrap();
        }
        w.finalize().unwrap();
        let err = read(&nan).unwrap_err().to_string();
        assert!(err.contains("nan.wav") && err.contains("finite"), "{err}");
        let junk = dir.path().join("junk.wav");
        std::fs::write(&junk, b"RIFF\x10\0\0\0WAVEjunkjunk").unwrap();
        let err = read(&junk).unwrap_err().to_string();
        assert!(err.contains("not a readable WAV"), "{err}");
    }
}

//! The browser's audio framing (`web/js/voice-capture.js`) checked against
//! the server's parser: node runs the module's pure parts (downsampler,
//! PCM16 conversion, framer) and the frames it prints must parse, in order,
//! into the expected samples. Needs node (`apt-get install nodejs`).

use std::process::Command;

use mockloop::config::Limits;
use mockloop::speech::frame::{AudioFrame, Sequence, SequenceTracker};

/// 10 chunks of 1,000 samples of a 440 Hz tone at half scale and 48 kHz,
/// framed at 20 ms from sequence number 7; one hex-encoded frame per line.
const SCRIPT: &str = r#"
const { Downsampler, Framer, floatToPcm16 } = await import(process.argv[1]);
const framer = new Framer((b) => console.log(Buffer.from(b).toString("hex")), { frameMs: 20, startSeq: 7 });
const down = new Downsampler(48000);
for (let c = 0; c < 10; c++) {
  const chunk = new Float32Array(1000);
  for (let i = 0; i < chunk.length; i++) chunk[i] = 0.5 * Math.sin(2 * Math.PI * 440 * (c * 1000 + i) / 48000);
  framer.push(floatToPcm16(down.process(chunk)));
}
framer.flush();
"#;

fn hex(line: &str) -> Vec<u8> {
    (0..line.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&line[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn frames_from_the_browser_module_parse_on_the_server_in_order() {
    let module = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("web/js/voice-capture.js");
    let output = Command::new("node")
        .args(["--input-type=module", "-e", SCRIPT])
        .arg(format!("file://{}", module.display()))
        .output()
        .expect("node is required for the browser framing test: apt-get install nodejs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let limit = Limits::default().max_audio_frame_bytes;
    let mut tracker = SequenceTracker::default();
    let mut samples = Vec::new();
    let mut seqs = Vec::new();
    for line in String::from_utf8(output.stdout).unwrap().lines() {
        let frame = AudioFrame::parse(&hex(line), limit.get()).unwrap();
        assert_eq!(tracker.check(frame.seq), Sequence::InOrder);
        seqs.push(frame.seq);
        // 20 ms frames, except the flushed remainder.
        assert!(frame.samples.len() <= 320);
        samples.extend(frame.samples);
    }
    assert_eq!(seqs, (7..18).collect::<Vec<u32>>());
    // 10,000 samples at 48 kHz are 3,333 whole samples at 16 kHz.
    assert_eq!(samples.len(), 3_333);
    // The tone keeps its level (a 3-sample mean barely touches 440 Hz).
    let peak = samples.iter().map(|s| s.unsigned_abs()).max().unwrap();
    assert!((15_500..=16_400).contains(&peak), "peak {peak}");
}

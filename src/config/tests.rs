use std::path::PathBuf;

use super::*;

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).into(), (*v).into()))
        .collect()
}

#[test]
fn the_file_overrides_defaults_and_the_environment_overrides_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("m.toml");
    std::fs::write(
        &file,
        "[server]\naddr = \"0.0.0.0:9000\"\n[limits]\nmax_answer_chars = 100\n",
    )
    .unwrap();
    let config = Config::load_from(
        Some(&file),
        env(&[("MOCKLOOP__LIMITS__MAX_ANSWER_CHARS", "50")]),
    )
    .unwrap();
    assert_eq!(config.server.addr, "0.0.0.0:9000");
    assert_eq!(config.limits.max_answer_chars.get(), 50);
    assert_eq!(config.limits.max_text_frame_bytes.get(), 64 * 1024);
}

#[test]
fn an_unknown_setting_is_an_error() {
    let error = Config::load_from(None, env(&[("MOCKLOOP__SERVER__ADRESS", "x")])).unwrap_err();
    assert!(format!("{error:#}").contains("adress"), "{error:#}");
}

#[test]
fn the_llm_grader_without_its_settings_fails_to_load_naming_what_is_missing() {
    let error = Config::load_from(None, env(&[("MOCKLOOP__GRADER__KIND", "llm")])).unwrap_err();
    let message = format!("{error:#}");
    assert!(message.contains("missing model"), "{message}");
    assert!(message.contains("OPENAI_API_KEY"), "{message}");

    let error = Config::load_from(
        None,
        env(&[
            ("MOCKLOOP__GRADER__KIND", "llm"),
            ("MOCKLOOP__LLM__PROVIDER", "azure"),
            ("MOCKLOOP__LLM__API_BASE", "http://localhost:1"),
            ("OPENAI_API_KEY", "k"),
        ]),
    )
    .unwrap_err();
    let message = format!("{error:#}");
    assert!(
        message.contains("missing deployment, api_version"),
        "{message}"
    );
}

#[test]
fn the_api_key_comes_from_the_named_variable_and_never_shows_in_debug_output() {
    let config = Config::load_from(
        None,
        env(&[
            ("MOCKLOOP__GRADER__KIND", "llm"),
            ("MOCKLOOP__LLM__MODEL", "gpt-4o-mini"),
            ("MOCKLOOP__LLM__API_KEY_ENV", "MY_KEY"),
            ("MY_KEY", "sk-secret-123"),
        ]),
    )
    .unwrap();
    let key = config.llm.api_key.as_ref().unwrap();
    assert_eq!(key.expose(), "sk-secret-123");
    let debug = format!("{config:?}");
    assert!(!debug.contains("sk-secret-123"), "{debug}");
    assert!(debug.contains("[redacted]"), "{debug}");
    let dumped = toml::to_string(&config).unwrap();
    assert!(!dumped.contains("sk-secret-123"), "{dumped}");
}

#[test]
fn a_compatible_server_needs_a_url_and_a_model_but_no_key() {
    let config = Config::load_from(
        None,
        env(&[
            ("MOCKLOOP__GRADER__KIND", "llm"),
            ("MOCKLOOP__LLM__PROVIDER", "compatible"),
            ("MOCKLOOP__LLM__BASE_URL", "http://localhost:11434/v1"),
            ("MOCKLOOP__LLM__MODEL", "llama3.1"),
            ("MOCKLOOP__LLM__SEED", "42"),
        ]),
    )
    .unwrap();
    assert_eq!(config.llm.provider, LlmProvider::Compatible);
    assert_eq!(config.llm.seed, 42);
    assert!(config.llm.api_key.is_none());
}

#[test]
fn out_of_range_llm_bounds_are_refused() {
    for (name, value, message) in [
        (
            "MOCKLOOP__LLM__TIMEOUT_SECONDS",
            "0",
            "llm.timeout_seconds: must be from 1 to 3600",
        ),
        (
            "MOCKLOOP__LLM__MAX_CONCURRENCY",
            "100000000000",
            "llm.max_concurrency: must be from 1 to 1024",
        ),
    ] {
        let error = Config::load_from(
            None,
            env(&[
                ("MOCKLOOP__GRADER__KIND", "llm"),
                ("MOCKLOOP__LLM__PROVIDER", "compatible"),
                ("MOCKLOOP__LLM__BASE_URL", "http://localhost:11434/v1"),
                ("MOCKLOOP__LLM__MODEL", "m"),
                (name, value),
            ]),
        )
        .unwrap_err();
        assert!(format!("{error:#}").contains(message), "{error:#}");
        // A value out of bounds is refused as it is read, even in a
        // section no part of the server uses: it is a mistake either way.
        let error = Config::load_from(None, env(&[(name, value)])).unwrap_err();
        assert!(format!("{error:#}").contains(message), "{error:#}");
    }
}

#[test]
fn an_api_key_with_a_line_break_inside_is_refused() {
    let error = Config::load_from(
        None,
        env(&[
            ("MOCKLOOP__GRADER__KIND", "llm"),
            ("MOCKLOOP__LLM__MODEL", "m"),
            ("OPENAI_API_KEY", "sk-a\nb"),
        ]),
    )
    .unwrap_err();
    assert!(format!("{error:#}").contains("OPENAI_API_KEY"), "{error:#}");
}

#[test]
fn audio_limits_and_voice_settings_are_checked_at_load() {
    let config = Config::load_from(None, env(&[])).unwrap();
    assert_eq!(config.voice.silence_hold_ms.get(), 1_500);
    assert_eq!(config.limits.max_utterance_seconds.get(), 30);

    let error = Config::load_from(
        None,
        env(&[
            ("MOCKLOOP__LIMITS__MAX_AUDIO_FRAME_BYTES", "4"),
            ("MOCKLOOP__VOICE__VAD_THRESHOLD", "1.5"),
        ]),
    )
    .unwrap_err();
    assert!(
        format!("{error:#}").contains("max_audio_frame_bytes"),
        "{error:#}"
    );
    let error =
        Config::load_from(None, env(&[("MOCKLOOP__VOICE__VAD_THRESHOLD", "1.5")])).unwrap_err();
    assert!(format!("{error:#}").contains("vad_threshold"), "{error:#}");
}

#[test]
fn speech_bounds_are_checked_and_the_model_defaults_into_the_data_dir() {
    let error = Config::load_from(None, env(&[("MOCKLOOP__SPEECH__WORKERS", "0")])).unwrap_err();
    assert!(
        format!("{error:#}").contains("speech.workers: must be from 1 to 16"),
        "{error:#}"
    );
    let config = Config::load_from(None, env(&[])).unwrap();
    assert_eq!(
        config.speech.model_path(Path::new("/d")),
        PathBuf::from("/d/models/ggml-tiny.en.bin")
    );
    let base =
        Config::load_from(None, env(&[("MOCKLOOP__SPEECH__MODEL_SIZE", "base.en")])).unwrap();
    assert_eq!(
        base.speech.model_path(Path::new("/d")),
        PathBuf::from("/d/models/ggml-base.en.bin")
    );
    let error =
        Config::load_from(None, env(&[("MOCKLOOP__SPEECH__MODEL_SIZE", "large")])).unwrap_err();
    assert!(format!("{error:#}").contains("tiny.en"), "{error:#}");
}

#[test]
fn remote_speech_needs_its_endpoint_and_keeps_its_key_out_of_debug() {
    let error =
        Config::load_from(None, env(&[("MOCKLOOP__SPEECH__BACKEND", "remote")])).unwrap_err();
    let message = format!("{error:#}");
    assert!(message.contains("base_url is missing"), "{message}");
    assert!(message.contains("model is missing"), "{message}");
    let config = Config::load_from(
        None,
        env(&[
            ("MOCKLOOP__SPEECH__BACKEND", "remote"),
            ("MOCKLOOP__SPEECH_REMOTE__BASE_URL", "http://gpu:8000/v1"),
            ("MOCKLOOP__SPEECH_REMOTE__MODEL", "whisper-small"),
            ("MOCKLOOP_SPEECH_API_KEY", "sk-remote-secret"),
        ]),
    )
    .unwrap();
    assert_eq!(config.speech.backend, SpeechBackend::Remote);
    let key = config.speech_remote.api_key.as_ref().unwrap();
    assert_eq!(key.expose(), "sk-remote-secret");
    assert!(!format!("{config:?}").contains("sk-remote-secret"));
}

#[test]
fn server_voice_needs_its_endpoint_and_keeps_its_key_out_of_debug() {
    let config = Config::load_from(None, env(&[])).unwrap();
    assert_eq!(config.tts.backend, TtsBackend::Browser);
    let error = Config::load_from(None, env(&[("MOCKLOOP__TTS__BACKEND", "remote")])).unwrap_err();
    let message = format!("{error:#}");
    assert!(message.contains("[tts]"), "{message}");
    assert!(message.contains("base_url is missing"), "{message}");
    assert!(message.contains("model is missing"), "{message}");
    let error = Config::load_from(
        None,
        env(&[
            ("MOCKLOOP__TTS__BACKEND", "remote"),
            ("MOCKLOOP__TTS__BASE_URL", "http://tts:8000/v1"),
            ("MOCKLOOP__TTS__MODEL", "tts-1"),
            ("MOCKLOOP__TTS__TIMEOUT_SECONDS", "0"),
        ]),
    )
    .unwrap_err();
    assert!(
        format!("{error:#}").contains("tts.timeout_seconds: must be from 1"),
        "{error:#}"
    );
    let error = Config::load_from(None, env(&[("MOCKLOOP__TTS__FORMAT", "aiff")]));
    assert!(error.is_err(), "only formats a browser plays are taken");
    let config = Config::load_from(
        None,
        env(&[
            ("MOCKLOOP__TTS__BACKEND", "remote"),
            ("MOCKLOOP__TTS__BASE_URL", "http://tts:8000/v1"),
            ("MOCKLOOP__TTS__MODEL", "tts-1"),
            ("MOCKLOOP__TTS__VOICE", "af_heart"),
            ("MOCKLOOP__TTS__FORMAT", "wav"),
            ("MOCKLOOP_TTS_API_KEY", "sk-tts-secret-value"),
        ]),
    )
    .unwrap();
    assert_eq!(config.tts.format, TtsFormat::Wav);
    assert_eq!(config.tts.voice, "af_heart");
    let key = config.tts.api_key.as_ref().unwrap();
    assert_eq!(key.expose(), "sk-tts-secret-value");
    assert!(!format!("{config:?}").contains("sk-tts-secret"));
}

#[test]
fn the_operator_token_comes_from_the_file_or_its_variable_and_never_shows_in_debug_output() {
    let config = Config::load_from(None, env(&[])).unwrap();
    assert!(
        config.server.operator_token.is_none(),
        "disabled by default"
    );

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("m.toml");
    std::fs::write(
        &file,
        "[server]\noperator_token = \"file-token-0123456789\"\n",
    )
    .unwrap();
    let config = Config::load_from(Some(&file), env(&[])).unwrap();
    assert_eq!(
        config.server.operator_token.as_ref().unwrap().expose(),
        "file-token-0123456789"
    );
    let config = Config::load_from(
        Some(&file),
        env(&[("MOCKLOOP_OPERATOR_TOKEN", "env-token-secret-0123456789")]),
    )
    .unwrap();
    assert_eq!(
        config.server.operator_token.as_ref().unwrap().expose(),
        "env-token-secret-0123456789"
    );
    let debug = format!("{config:?}");
    assert!(!debug.contains("env-token-secret"), "{debug}");

    let error = Config::load_from(None, env(&[("MOCKLOOP_OPERATOR_TOKEN", "short")])).unwrap_err();
    assert!(format!("{error:#}").contains("at least 16"), "{error:#}");
}

#[test]
fn edge_limits_are_checked_at_load() {
    let config = Config::load_from(None, env(&[])).unwrap();
    assert_eq!(config.limits.ws_buffer_bytes.get(), 1024);
    for (name, value) in [
        ("MOCKLOOP__LIMITS__MAX_AUDIO_FRAMES_PER_SECOND", "0"),
        ("MOCKLOOP__LIMITS__IDLE_TIMEOUT_SECONDS", "0"),
        ("MOCKLOOP__SERVER__MAX_CONNECTIONS", "0"),
        ("MOCKLOOP__SERVER__SESSION_CREATES_PER_MINUTE", "0"),
    ] {
        let error = Config::load_from(None, env(&[(name, value)])).unwrap_err();
        let key = name.rsplit("__").next().unwrap().to_lowercase();
        assert!(format!("{error:#}").contains(&key), "{name}: {error:#}");
    }
    let error = Config::load_from(
        None,
        env(&[("MOCKLOOP__SERVER__ALLOWED_ORIGINS", "example.com")]),
    );
    assert!(
        error.is_err(),
        "a list is needed, and a bare host is refused"
    );
}

#[test]
fn a_string_setting_stays_a_string() {
    let config =
        Config::load_from(None, env(&[("MOCKLOOP__STORAGE__DATA_DIR", "/tmp/x y")])).unwrap();
    assert_eq!(config.storage.data_dir, PathBuf::from("/tmp/x y"));
}

#[test]
fn values_are_parsed_into_their_types_as_the_configuration_is_read() {
    for (name, value, message) in [
        (
            "MOCKLOOP__SANDBOX__UID",
            "0",
            "sandbox.uid: must be from 1 to 4294967038",
        ),
        (
            "MOCKLOOP__INTERVIEWER__MODEL",
            " ",
            "interviewer.model: must not be empty",
        ),
        (
            "MOCKLOOP__LLM__SCEPTICAL_THRESHOLD",
            "4.5",
            "llm.sceptical_threshold: must be from 1 to 4",
        ),
        (
            "MOCKLOOP__LLM__MAX_RETRIES",
            "101",
            "llm.max_retries: must be at most 100",
        ),
    ] {
        let error = Config::load_from(None, env(&[(name, value)])).unwrap_err();
        assert!(format!("{error:#}").contains(message), "{error:#}");
    }

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("m.toml");
    std::fs::write(
        &file,
        "[server]\nallowed_origins = [\"https://Interview.example.com/\"]\n",
    )
    .unwrap();
    let config = Config::load_from(Some(&file), env(&[])).unwrap();
    let origin = &config.server.allowed_origins[0];
    assert_eq!(origin.to_string(), "https://interview.example.com:443");
    assert_eq!(Origin::parse(&origin.to_string()).as_ref(), Some(origin));
    std::fs::write(&file, "[server]\nallowed_origins = [\"example.com\"]\n").unwrap();
    let error = Config::load_from(Some(&file), env(&[])).unwrap_err();
    assert!(
        format!("{error:#}").contains("server.allowed_origins[0]: \"example.com\" must look like"),
        "{error:#}"
    );
}

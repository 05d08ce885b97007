use clap::Parser;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            // async-openai logs a whole unparsable response body at error
            // level; such a body can quote the candidate, so it stays off.
            // whisper.cpp narrates every model load at info: warnings only.
            // lopdf warns about a damaged résumé PDF with pieces of its
            // objects: off, as the upload's own error says what failed.
            EnvFilter::try_from_env("MOCKLOOP_LOG").unwrap_or_else(|_| {
                EnvFilter::new("info,async_openai::error=off,whisper_rs=warn,lopdf=off")
            }),
        )
        .with_writer(std::io::stderr)
        .init();
    match mockloop::cli::run(mockloop::cli::Cli::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

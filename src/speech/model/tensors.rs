//! From CTranslate2's variables to the tensors whisper.cpp expects: names,
//! the fused attention projections split apart, integer weights
//! dequantised, and each tensor's storage type.

use super::ModelError;
use super::ct2::{Ct2Model, DType};
use super::ggml::{Hparams, Storage, Tensor, Weights};

/// Whisper's attention heads are 64 wide in every size; used only when a
/// model file lacks `*/num_heads`.
const HEAD_DIM: usize = 64;

/// A variable's values as f32. Integer weights are dequantised with their
/// `*_scale` variable the way CTranslate2 quantised them: int8 with one
/// scale per output row (`q = rint(w * 127 / max|row|)`), int16 with one
/// scale for the whole tensor; either way `w = q / scale`.
pub fn values(model: &Ct2Model, name: &str) -> Result<(Vec<usize>, Vec<f32>), ModelError> {
    let var = model.require(name)?;
    let mut data = var.to_f32();
    if matches!(var.dtype, DType::I8 | DType::I16 | DType::I32) {
        let scale = model.get(&format!("{name}_scale")).ok_or_else(|| {
            ModelError::Invalid(format!(
                "{name} is stored as {:?} without a {name}_scale to dequantise it",
                var.dtype
            ))
        })?;
        let scale = scale.to_f32();
        let rows = var.shape.first().copied().unwrap_or(1).max(1);
        let per_row = data.len() / rows;
        if scale.len() == 1 {
            data.iter_mut().for_each(|v| *v /= scale[0]);
        } else if scale.len() == rows {
            for (row, s) in data.chunks_mut(per_row.max(1)).zip(&scale) {
                row.iter_mut().for_each(|v| *v /= s);
            }
        } else {
            return Err(ModelError::Invalid(format!(
                "{name}_scale has {} values for {rows} rows",
                scale.len()
            )));
        }
    }
    Ok((var.shape.clone(), data))
}

/// The model's shape, read off the variables.
pub fn hparams(model: &Ct2Model) -> Result<Hparams, ModelError> {
    let shape2 = |name: &str| -> Result<(usize, usize), ModelError> {
        match model.require(name)?.shape.as_slice() {
            &[a, b] => Ok((a, b)),
            other => Err(ModelError::Invalid(format!(
                "{name} has shape {other:?}, expected 2-D"
            ))),
        }
    };
    let (n_vocab, _) = shape2("decoder/embeddings/weight")?;
    let (n_audio_ctx, n_audio_state) = shape2("encoder/position_encodings/encodings")?;
    let (n_text_ctx, n_text_state) = shape2("decoder/position_encodings/encodings")?;
    let n_mels = match model.require("encoder/conv1/weight")?.shape.as_slice() {
        &[_, mels, _] => mels,
        other => {
            return Err(ModelError::Invalid(format!(
                "encoder/conv1/weight has shape {other:?}, expected 3-D"
            )));
        }
    };
    let heads = |side: &str, state: usize| {
        model
            .get(&format!("{side}/num_heads"))
            .and_then(|v| v.scalar_int())
            .map(|h| h as usize)
            .unwrap_or(state / HEAD_DIM)
    };
    let layers = |side: &str| {
        (0..)
            .take_while(|i| {
                model
                    .get(&format!("{side}/layer_{i}/ffn/linear_0/weight"))
                    .is_some()
            })
            .count()
    };
    let int = |n: usize, what: &str| {
        i32::try_from(n).map_err(|_| ModelError::Invalid(format!("{what} ({n}) is out of range")))
    };
    let hp = Hparams {
        n_vocab: int(n_vocab, "n_vocab")?,
        n_audio_ctx: int(n_audio_ctx, "n_audio_ctx")?,
        n_audio_state: int(n_audio_state, "n_audio_state")?,
        n_audio_head: int(heads("encoder", n_audio_state), "n_audio_head")?,
        n_audio_layer: int(layers("encoder"), "n_audio_layer")?,
        n_text_ctx: int(n_text_ctx, "n_text_ctx")?,
        n_text_state: int(n_text_state, "n_text_state")?,
        n_text_head: int(heads("decoder", n_text_state), "n_text_head")?,
        n_text_layer: int(layers("decoder"), "n_text_layer")?,
        n_mels: int(n_mels, "n_mels")?,
        ftype: 1,
    };
    if hp.n_audio_layer == 0 || hp.n_text_layer == 0 || hp.n_audio_head == 0 {
        return Err(ModelError::Invalid(
            "model.bin has no encoder or decoder layers: not a Whisper model".into(),
        ));
    }
    Ok(hp)
}

/// How many tensors whisper.cpp loads for a model of this shape: 7 outside
/// the encoder layers + 15 per encoder layer, 4 outside the decoder layers
/// + 24 per decoder layer (167 for tiny).
pub fn expected_count(hp: &Hparams) -> usize {
    7 + 15 * hp.n_audio_layer as usize + 4 + 24 * hp.n_text_layer as usize
}

/// Storage type: whisper.cpp wants 2-D and larger weights in f16 (the
/// matrices may be quantised instead: see [`convert`]), vectors, conv
/// biases and positional embeddings in f32.
fn tensor(name: String, shape: Vec<usize>, data: Vec<f32>) -> Tensor {
    let storage = if shape.len() < 2
        || name.ends_with("positional_embedding")
        || (name.starts_with("encoder.conv") && name.ends_with(".bias"))
    {
        Storage::F32
    } else {
        Storage::F16
    };
    Tensor {
        name,
        shape,
        data,
        storage,
    }
}

/// A shape and its values.
type Block = (Vec<usize>, Vec<f32>);

/// Splits a fused projection into `parts` equal blocks of rows.
fn split(
    name: &str,
    shape: &[usize],
    data: Vec<f32>,
    parts: usize,
) -> Result<Vec<Block>, ModelError> {
    let rows = shape.first().copied().unwrap_or(0);
    if rows == 0 || rows % parts != 0 {
        return Err(ModelError::Invalid(format!(
            "{name}: {rows} rows do not split into {parts} projections"
        )));
    }
    let mut block_shape = shape.to_vec();
    block_shape[0] = rows / parts;
    let block = data.len() / parts;
    Ok(data
        .chunks(block)
        .map(|c| (block_shape.clone(), c.to_vec()))
        .collect())
}

/// Every tensor in whisper.cpp's naming, handed to `emit` one at a time so
/// a large model never sits in memory twice.
/// The weight matrices (2-D) are stored as the file's weight type; the
/// convolutions' 3-D kernels stay f16, as whisper.cpp creates them
/// whatever the weight type.
pub fn convert(
    model: &Ct2Model,
    hp: &Hparams,
    weights: Weights,
    emit: &mut dyn FnMut(Tensor) -> Result<(), ModelError>,
) -> Result<(), ModelError> {
    let emit = &mut |mut t: Tensor| {
        if t.storage == Storage::F16 && t.shape.len() == 2 {
            t.storage = weights.matrix_storage();
        }
        emit(t)
    };
    let plain = |emit: &mut dyn FnMut(Tensor) -> Result<(), ModelError>,
                 from: &str,
                 to: &str|
     -> Result<(), ModelError> {
        let (shape, data) = values(model, from)?;
        emit(tensor(to.to_owned(), shape, data))
    };
    // Linear layer: weight and bias. Layer norm: gamma and beta.
    let linear = |emit: &mut dyn FnMut(Tensor) -> Result<(), ModelError>, from: &str, to: &str| {
        plain(emit, &format!("{from}/weight"), &format!("{to}.weight"))?;
        plain(emit, &format!("{from}/bias"), &format!("{to}.bias"))
    };
    let norm = |emit: &mut dyn FnMut(Tensor) -> Result<(), ModelError>, from: &str, to: &str| {
        plain(emit, &format!("{from}/gamma"), &format!("{to}.weight"))?;
        plain(emit, &format!("{from}/beta"), &format!("{to}.bias"))
    };

    for conv in ["conv1", "conv2"] {
        plain(
            emit,
            &format!("encoder/{conv}/weight"),
            &format!("encoder.{conv}.weight"),
        )?;
        let (shape, data) = values(model, &format!("encoder/{conv}/bias"))?;
        // whisper.cpp adds the bias to a [time, channels] result: [n] -> [n, 1].
        emit(tensor(
            format!("encoder.{conv}.bias"),
            vec![shape.iter().product(), 1],
            data,
        ))?;
    }
    plain(
        emit,
        "encoder/position_encodings/encodings",
        "encoder.positional_embedding",
    )?;
    for i in 0..hp.n_audio_layer {
        let from = format!("encoder/layer_{i}");
        let to = format!("encoder.blocks.{i}");
        self_attention(model, emit, &from, &to, &norm, &linear)?;
        ffn(emit, &from, &to, &norm, &linear)?;
    }
    norm(emit, "encoder/layer_norm", "encoder.ln_post")?;

    plain(
        emit,
        "decoder/embeddings/weight",
        "decoder.token_embedding.weight",
    )?;
    plain(
        emit,
        "decoder/position_encodings/encodings",
        "decoder.positional_embedding",
    )?;
    for i in 0..hp.n_text_layer {
        let from = format!("decoder/layer_{i}");
        let to = format!("decoder.blocks.{i}");
        self_attention(model, emit, &from, &to, &norm, &linear)?;
        norm(
            emit,
            &format!("{from}/attention/layer_norm"),
            &format!("{to}.cross_attn_ln"),
        )?;
        linear(
            emit,
            &format!("{from}/attention/linear_0"),
            &format!("{to}.cross_attn.query"),
        )?;
        // Cross-attention key and value come fused as [Wk; Wv], bias [0; bv].
        let (shape, data) = values(model, &format!("{from}/attention/linear_1/weight"))?;
        let mut w = split(
            &format!("{from}/attention/linear_1/weight"),
            &shape,
            data,
            2,
        )?;
        let (bshape, bdata) = values(model, &format!("{from}/attention/linear_1/bias"))?;
        let mut b = split(
            &format!("{from}/attention/linear_1/bias"),
            &bshape,
            bdata,
            2,
        )?;
        let (wv, bv) = (w.remove(1), b.remove(1));
        let wk = w.remove(0);
        emit(tensor(format!("{to}.cross_attn.key.weight"), wk.0, wk.1))?;
        emit(tensor(format!("{to}.cross_attn.value.weight"), wv.0, wv.1))?;
        emit(tensor(format!("{to}.cross_attn.value.bias"), bv.0, bv.1))?;
        linear(
            emit,
            &format!("{from}/attention/linear_2"),
            &format!("{to}.cross_attn.out"),
        )?;
        ffn(emit, &from, &to, &norm, &linear)?;
    }
    norm(emit, "decoder/layer_norm", "decoder.ln")
}

type Emit<'e> = &'e mut dyn FnMut(Tensor) -> Result<(), ModelError>;
type Pair<'f> = &'f dyn Fn(Emit<'_>, &str, &str) -> Result<(), ModelError>;

/// Self-attention: the fused `linear_0` is [Wq; Wk; Wv] with bias
/// [bq; 0; bv]; Whisper's key projection has no bias, so that third is dropped.
fn self_attention(
    model: &Ct2Model,
    emit: Emit<'_>,
    from: &str,
    to: &str,
    norm: Pair<'_>,
    linear: Pair<'_>,
) -> Result<(), ModelError> {
    norm(
        emit,
        &format!("{from}/self_attention/layer_norm"),
        &format!("{to}.attn_ln"),
    )?;
    let wname = format!("{from}/self_attention/linear_0/weight");
    let (shape, data) = values(model, &wname)?;
    let mut w = split(&wname, &shape, data, 3)?.into_iter();
    let bname = format!("{from}/self_attention/linear_0/bias");
    let (bshape, bdata) = values(model, &bname)?;
    let mut b = split(&bname, &bshape, bdata, 3)?.into_iter();
    let missing = || ModelError::Invalid(format!("{wname}: split failed"));
    let (wq, wk, wv) = (
        w.next().ok_or_else(missing)?,
        w.next().ok_or_else(missing)?,
        w.next().ok_or_else(missing)?,
    );
    let (bq, _bk, bv) = (
        b.next().ok_or_else(missing)?,
        b.next().ok_or_else(missing)?,
        b.next().ok_or_else(missing)?,
    );
    emit(tensor(format!("{to}.attn.query.weight"), wq.0, wq.1))?;
    emit(tensor(format!("{to}.attn.query.bias"), bq.0, bq.1))?;
    emit(tensor(format!("{to}.attn.key.weight"), wk.0, wk.1))?;
    emit(tensor(format!("{to}.attn.value.weight"), wv.0, wv.1))?;
    emit(tensor(format!("{to}.attn.value.bias"), bv.0, bv.1))?;
    linear(
        emit,
        &format!("{from}/self_attention/linear_1"),
        &format!("{to}.attn.out"),
    )
}

fn ffn(
    emit: Emit<'_>,
    from: &str,
    to: &str,
    norm: Pair<'_>,
    linear: Pair<'_>,
) -> Result<(), ModelError> {
    norm(
        emit,
        &format!("{from}/ffn/layer_norm"),
        &format!("{to}.mlp_ln"),
    )?;
    linear(
        emit,
        &format!("{from}/ffn/linear_0"),
        &format!("{to}.mlp.0"),
    )?;
    linear(
        emit,
        &format!("{from}/ffn/linear_1"),
        &format!("{to}.mlp.2"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fused_rows_split_in_order() {
        let parts = split("w", &[6, 2], (0..12).map(|v| v as f32).collect(), 3).unwrap();
        assert_eq!(parts[0], (vec![2, 2], vec![0.0, 1.0, 2.0, 3.0]));
        assert_eq!(parts[2], (vec![2, 2], vec![8.0, 9.0, 10.0, 11.0]));
        assert!(split("w", &[5, 2], vec![0.0; 10], 3).is_err());
    }

    #[test]
    fn int8_weights_dequantise_as_ctranslate2_quantised_them() {
        // Quantise two rows exactly as CTranslate2's converter does, then
        // check the round trip is within half a quantisation step.
        let rows = [[0.5f32, -0.25, 0.125], [-2.0, 1.0, 0.3]];
        let mut q = Vec::new();
        let mut scales = Vec::new();
        for row in &rows {
            let amax = row.iter().fold(0f32, |m, v| m.max(v.abs()));
            let scale = 127.0 / amax;
            scales.push(scale);
            q.extend(row.iter().map(|v| (v * scale).round() as i8 as u8));
        }
        let mut bytes = super::super::ct2::tests::file(&[("w_scale", &[2], &scales)], &[]);
        // Append an int8 variable by hand: bump the count, write it last.
        let count_at = 4 + 2 + 12 + 4;
        bytes[count_at..count_at + 4].copy_from_slice(&2u32.to_le_bytes());
        bytes.truncate(bytes.len() - 4); // drop the alias count
        super::super::ct2::tests::string(&mut bytes, "w");
        bytes.push(2);
        bytes.extend_from_slice(&2u32.to_le_bytes());
        bytes.extend_from_slice(&3u32.to_le_bytes());
        bytes.push(1); // int8
        bytes.extend_from_slice(&6u32.to_le_bytes());
        bytes.extend_from_slice(&q);
        bytes.extend_from_slice(&0u32.to_le_bytes());
        let model = Ct2Model::parse(&bytes).unwrap();
        let (shape, data) = values(&model, "w").unwrap();
        assert_eq!(shape, vec![2, 3]);
        for (r, row) in rows.iter().enumerate() {
            for (c, &v) in row.iter().enumerate() {
                let step = 1.0 / scales[r];
                assert!((data[r * 3 + c] - v).abs() <= step / 2.0 + 1e-6, "{r},{c}");
            }
        }
    }
}

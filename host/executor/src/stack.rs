//! Deterministic stack limit.
//!
//! wasmtime's own stack limit (`max_wasm_stack`) counts native bytes, so where a deep
//! recursion traps depends on Cranelift's frame sizes: another CPU architecture or
//! wasmtime version could trap at a different depth, and a contract tuned to that depth
//! could split consensus. So every defined function is instrumented at upload to add its
//! *logical* frame size — a fixed overhead plus parameters, locals and the maximum
//! operand-stack height the validator computed — to a global counter on entry, trap when
//! the counter passes `max_stack_slots`, and subtract it again on every exit. The limit
//! is set well below the native one (16 native bytes per slot), so the deterministic
//! check fires first; the native limit stays as the backstop.
//!
//! The rewrite copies the original bytes and only inserts instructions: a prologue at
//! entry, the body wrapped in a `block` (so branches to the function label fall through
//! to the epilogue), an epilogue before each `return` and at the end. The counter global
//! is appended (no index shifts; contracts cannot import globals) and exported under
//! [`STACK_EXPORT`] so the executor can tell this trap from a contract's `unreachable`.

use crate::error::UploadError;
use wasmparser::{FuncValidator, FunctionBody, Operator, ValType, ValidatorResources};

/// Export name of the counter; reserved (contracts may not export it).
pub(crate) const STACK_EXPORT: &str = "__hm_stack_height";
/// Slots charged per frame on top of its values (return address, saved registers).
const FRAME_OVERHEAD_SLOTS: u32 = 8;

/// What the rewrite needs to know about one defined function.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FrameInfo {
    /// Logical frame size in slots.
    pub cost: u32,
    pub results: Vec<ValType>,
    /// Absolute offsets in the module: body start (after the size), first operator,
    /// each `return`, and the final `end`.
    pub body_start: usize,
    pub ops_start: usize,
    pub returns: Vec<usize>,
    pub end: usize,
}

fn wasm_error(e: wasmparser::BinaryReaderError) -> UploadError {
    crate::validate::wasm_error(e)
}

/// Validate one body operator by operator, measuring what the instrumentation needs.
/// Returns the frame and the number of control-flow instructions (priced at upload).
pub(crate) fn analyze_body(
    v: &mut FuncValidator<ValidatorResources>,
    body: &FunctionBody<'_>,
    params: u32,
    results: Vec<ValType>,
) -> Result<(FrameInfo, u64), UploadError> {
    let mut locals = body.get_locals_reader().map_err(wasm_error)?;
    let mut local_count: u32 = 0;
    for _ in 0..locals.get_count() {
        let offset = locals.original_position();
        let (count, ty) = locals.read().map_err(wasm_error)?;
        v.define_locals(offset, count, ty).map_err(wasm_error)?;
        local_count = local_count.saturating_add(count);
    }
    let mut ops = wasmparser::OperatorsReader::new(locals.get_binary_reader());
    let ops_start = ops.original_position();
    let (mut max_height, mut control_ops, mut returns, mut end) = (0u32, 0u64, Vec::new(), 0);
    while !ops.eof() {
        let offset = ops.original_position();
        let op = ops.read().map_err(wasm_error)?;
        match op {
            Operator::Return => {
                returns.push(offset);
                control_ops += 1;
            }
            Operator::End => end = offset,
            Operator::Block { .. }
            | Operator::Loop { .. }
            | Operator::If { .. }
            | Operator::Else
            | Operator::Br { .. }
            | Operator::BrIf { .. }
            | Operator::BrTable { .. }
            | Operator::Call { .. }
            | Operator::CallIndirect { .. } => control_ops += 1,
            _ => {}
        }
        v.op(offset, &op).map_err(wasm_error)?;
        max_height = max_height.max(v.operand_stack_height());
    }
    ops.finish().map_err(wasm_error)?;
    let cost = FRAME_OVERHEAD_SLOTS
        .saturating_add(params)
        .saturating_add(local_count)
        .saturating_add(max_height);
    let frame = FrameInfo {
        cost,
        results,
        body_start: body.range().start,
        ops_start,
        returns,
        end,
    };
    Ok((frame, control_ops))
}

fn leb_u32(mut v: u32, out: &mut Vec<u8>) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn sleb_i32(mut v: i32, out: &mut Vec<u8>) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        let done = (v == 0 && byte & 0x40 == 0) || (v == -1 && byte & 0x40 != 0);
        out.push(if done { byte } else { byte | 0x80 });
        if done {
            return;
        }
    }
}

fn read_leb_u32(bytes: &[u8], pos: &mut usize) -> Option<u32> {
    let mut result: u32 = 0;
    for shift in (0..35).step_by(7) {
        let byte = *bytes.get(*pos)?;
        *pos += 1;
        result |= u32::from(byte & 0x7f).checked_shl(shift)?;
        if byte & 0x80 == 0 {
            return Some(result);
        }
    }
    None
}

fn val_type_byte(t: ValType) -> Option<u8> {
    Some(match t {
        ValType::I32 => 0x7f,
        ValType::I64 => 0x7e,
        ValType::F32 => 0x7d,
        ValType::F64 => 0x7c,
        _ => return None,
    })
}

const GLOBAL_GET: u8 = 0x23;
const GLOBAL_SET: u8 = 0x24;
const I32_CONST: u8 = 0x41;

fn adjust(global: u32, delta_op: u8, cost: u32, out: &mut Vec<u8>) {
    out.push(GLOBAL_GET);
    leb_u32(global, out);
    out.push(I32_CONST);
    sleb_i32(cost as i32, out);
    out.push(delta_op);
    out.push(GLOBAL_SET);
    leb_u32(global, out);
}

/// The rewritten module.
pub(crate) struct Layout<'a> {
    pub code: &'a [u8],
    pub frames: &'a [FrameInfo],
    pub type_count: u32,
    pub global_count: u32,
    pub limit: u32,
}

fn instrument_body(
    l: &Layout<'_>,
    f: &FrameInfo,
    block_type: &[u8],
    out: &mut Vec<u8>,
) -> Option<()> {
    let global = l.global_count;
    let mut body = l.code.get(f.body_start..f.ops_start)?.to_vec(); // locals
    adjust(global, 0x6a, f.cost, &mut body); // i32.add
    body.push(GLOBAL_GET);
    leb_u32(global, &mut body);
    body.push(I32_CONST);
    sleb_i32(l.limit as i32, &mut body);
    body.extend_from_slice(&[0x4b, 0x04, 0x40, 0x00, 0x0b]); // i32.gt_u if unreachable end
    body.push(0x02); // block
    body.extend_from_slice(block_type);
    let mut from = f.ops_start;
    for &ret in &f.returns {
        body.extend_from_slice(l.code.get(from..ret)?);
        adjust(global, 0x6b, f.cost, &mut body); // i32.sub
        from = ret;
    }
    body.extend_from_slice(l.code.get(from..f.end)?);
    body.push(0x0b); // end of the wrapper block
    adjust(global, 0x6b, f.cost, &mut body);
    body.push(0x0b); // end of the function
    leb_u32(u32::try_from(body.len()).ok()?, out);
    out.extend_from_slice(&body);
    Some(())
}

fn section(id: u8, content: &[u8], out: &mut Vec<u8>) -> Option<()> {
    out.push(id);
    leb_u32(u32::try_from(content.len()).ok()?, out);
    out.extend_from_slice(content);
    Some(())
}

/// Rewrite validated code with the stack accounting described in the module docs.
pub(crate) fn instrument(l: &Layout<'_>) -> Result<Vec<u8>, UploadError> {
    rewrite(l).ok_or_else(|| UploadError::Compile("stack instrumentation failed".into()))
}

fn rewrite(l: &Layout<'_>) -> Option<Vec<u8>> {
    // Block types for the body wrappers; results beyond one need a new `() -> results` type.
    let mut new_types: Vec<Vec<u8>> = Vec::new();
    let mut block_types: Vec<Vec<u8>> = Vec::with_capacity(l.frames.len());
    for f in l.frames {
        let bt = match f.results.as_slice() {
            [] => vec![0x40],
            [t] => vec![val_type_byte(*t)?],
            many => {
                let mut ty = vec![0x60, 0x00];
                leb_u32(u32::try_from(many.len()).ok()?, &mut ty);
                for t in many {
                    ty.push(val_type_byte(*t)?);
                }
                let index = match new_types.iter().position(|t| *t == ty) {
                    Some(i) => i,
                    None => {
                        new_types.push(ty);
                        new_types.len() - 1
                    }
                };
                let mut bt = Vec::new();
                sleb_i32(i32::try_from(l.type_count as usize + index).ok()?, &mut bt);
                bt
            }
        };
        block_types.push(bt);
    }
    let mut global_entry = vec![0x7f, 0x01, I32_CONST, 0x00, 0x0b]; // mut i32 = 0
    let mut export_entry = Vec::new();
    leb_u32(STACK_EXPORT.len() as u32, &mut export_entry);
    export_entry.extend_from_slice(STACK_EXPORT.as_bytes());
    export_entry.push(0x03); // global
    leb_u32(l.global_count, &mut export_entry);

    let code = l.code;
    let mut out = code.get(..8)?.to_vec();
    let mut pos = 8;
    let mut global_done = false;
    // Sections that must follow the global section, in binary order.
    let after_globals = |id: u8| matches!(id, 7..=12);
    while pos < code.len() {
        let id = *code.get(pos)?;
        pos += 1;
        let len = read_leb_u32(code, &mut pos)? as usize;
        let content = code.get(pos..pos.checked_add(len)?)?;
        let content_start = pos;
        pos += len;
        if !global_done && after_globals(id) {
            let mut c = vec![1];
            c.append(&mut global_entry);
            section(6, &c, &mut out)?;
            global_done = true;
        }
        match id {
            1 | 6 | 7 => {
                let mut p = 0;
                let count = read_leb_u32(content, &mut p)?;
                let rest = content.get(p..)?;
                let (added, extra): (u32, Vec<u8>) = match id {
                    1 => (new_types.len() as u32, new_types.concat()),
                    6 => {
                        global_done = true;
                        (1, std::mem::take(&mut global_entry))
                    }
                    _ => (1, std::mem::take(&mut export_entry)),
                };
                let mut c = Vec::new();
                leb_u32(count.checked_add(added)?, &mut c);
                c.extend_from_slice(rest);
                c.extend_from_slice(&extra);
                section(id, &c, &mut out)?;
            }
            10 => {
                let mut c = Vec::new();
                leb_u32(u32::try_from(l.frames.len()).ok()?, &mut c);
                for (f, bt) in l.frames.iter().zip(&block_types) {
                    if f.body_start < content_start || f.end >= pos {
                        return None;
                    }
                    instrument_body(l, f, bt, &mut c)?;
                }
                section(10, &c, &mut out)?;
            }
            _ => {
                out.push(id);
                leb_u32(u32::try_from(len).ok()?, &mut out);
                out.extend_from_slice(content);
            }
        }
    }
    // Each addition must have found its section (a module with functions has types,
    // and contracts always export).
    (global_done && export_entry.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leb_round_trip() {
        for v in [0u32, 1, 127, 128, 300, 16_384, u32::MAX] {
            let mut b = Vec::new();
            leb_u32(v, &mut b);
            let mut p = 0;
            assert_eq!(read_leb_u32(&b, &mut p), Some(v));
            assert_eq!(p, b.len());
        }
        assert_eq!(
            read_leb_u32(&[0x80, 0x80, 0x80, 0x80, 0x80, 0x01], &mut 0),
            None
        );
        let mut b = Vec::new();
        sleb_i32(-1, &mut b);
        assert_eq!(b, [0x7f]);
        b.clear();
        sleb_i32(64, &mut b);
        assert_eq!(b, [0xc0, 0x00]);
    }
}

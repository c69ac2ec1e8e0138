/** What {@link TenantAdmin.restore} reads: the backup's text, or its chunks in any split (a file stream, an HTTP body). */
export type TenantBackupSource = string | AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>;

/**
 * The non-empty lines of a source, numbered from 1, holding one line at a
 * time: chunks may split lines and UTF-8 sequences anywhere.
 */
export async function* sourceLines(source: TenantBackupSource): AsyncGenerator<{ text: string; line: number }> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let pending = '';
  let line = 0;
  const chunks: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array> = typeof source === 'string' ? [source] : source;
  for await (const chunk of chunks) {
    pending += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let start = 0;
    for (let end = pending.indexOf('\n'); end !== -1; end = pending.indexOf('\n', start)) {
      line++;
      const text = pending.slice(start, end).trim();
      if (text !== '') yield { text, line };
      start = end + 1;
    }
    pending = pending.slice(start);
  }
  pending += decoder.decode();
  line++;
  if (pending.trim() !== '') yield { text: pending.trim(), line };
}

// The QR decoder behind QrScanner: the phone's own BarcodeDetector when it has one that reads QR
// codes, otherwise the `barcode-detector` ponyfill (ZXing compiled to WebAssembly).
//
// ZXing's .wasm is bundled by Vite (served from /app/assets/, never from a CDN: the ponyfill's
// default is a public CDN). We fetch it ourselves with `Accept: application/wasm`: behind API
// Gateway a binary body is decoded from base64 only when the request's Accept names a binary
// media type. Should a proxy still hand back base64 text, it is decoded here; the bytes must then
// match the SHA-256 the package was built with, or the decoder is not started.
import { ref } from 'vue'
import wasmUrl from 'zxing-wasm/reader/zxing_reader.wasm?url'

export const decoderKind = ref('') // 'native' | 'wasm', for the page and its tests

let pending = null

export function createDetector() {
  if (!pending) {
    pending = makeDetector().catch((error) => {
      pending = null // a later attempt (e.g. after the network is back) may succeed
      throw error
    })
  }
  return pending
}

async function makeDetector() {
  const Native = globalThis.BarcodeDetector
  if (Native) {
    try {
      if ((await Native.getSupportedFormats()).includes('qr_code')) {
        decoderKind.value = 'native'
        return new Native({ formats: ['qr_code'] })
      }
    } catch {
      // fall through to the WebAssembly decoder
    }
  }
  const { BarcodeDetector, prepareZXingModule, ZXING_WASM_SHA256 } = await import('barcode-detector/ponyfill')
  const wasmBinary = await fetchWasm(wasmUrl, ZXING_WASM_SHA256)
  // `overrides` replace the CDN-pointing defaults as a whole; locateFile is kept as a safeguard
  // so nothing is ever asked of another host even if the binary were not used.
  await prepareZXingModule({
    overrides: { wasmBinary, locateFile: (path, prefix) => (path.endsWith('.wasm') ? wasmUrl : prefix + path) },
    fireImmediately: true,
  })
  decoderKind.value = 'wasm'
  return new BarcodeDetector({ formats: ['qr_code'] })
}

async function fetchWasm(url, sha256) {
  const response = await fetch(url, { headers: { Accept: 'application/wasm' } })
  if (!response.ok) throw new Error(`decoder download failed: HTTP ${response.status}`)
  let bytes = new Uint8Array(await response.arrayBuffer())
  if (!isWasm(bytes)) bytes = fromBase64(bytes)
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))
  const hex = Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('')
  if (hex !== sha256) throw new Error('decoder download corrupted (SHA-256 mismatch)')
  return bytes.buffer
}

function isWasm(bytes) {
  return bytes[0] === 0x00 && bytes[1] === 0x61 && bytes[2] === 0x73 && bytes[3] === 0x6d // \0asm
}

function fromBase64(bytes) {
  try {
    const binary = atob(new TextDecoder().decode(bytes).trim())
    return Uint8Array.from(binary, (c) => c.charCodeAt(0))
  } catch {
    throw new Error('decoder download is not WebAssembly')
  }
}

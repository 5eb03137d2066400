declare module 'kafkajs-snappy' {
  /** kafkajs codec factory (pure-JS snappy: writes one raw block, reads raw or xerial-framed). */
  const SnappyCodec: () => { compress(encoder: unknown): Promise<Buffer>; decompress(buffer: Buffer): Promise<Buffer> };
  export = SnappyCodec;
}

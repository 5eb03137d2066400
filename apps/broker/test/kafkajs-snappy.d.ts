declare module 'kafkajs-snappy' {
  /** kafkajs codec factory (pure-JS snappy, xerial framing as the Java client writes it). */
  const SnappyCodec: () => { compress(encoder: unknown): Promise<Buffer>; decompress(buffer: Buffer): Promise<Buffer> };
  export = SnappyCodec;
}

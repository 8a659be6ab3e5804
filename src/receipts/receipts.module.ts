import { Module } from '@nestjs/common';
import { JwksController } from './jwks.controller';
import { ReceiptSigner } from './receipt-signer';

@Module({ controllers: [JwksController], providers: [ReceiptSigner], exports: [ReceiptSigner] })
export class ReceiptsModule {}

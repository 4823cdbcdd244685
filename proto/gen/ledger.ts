import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { AddCreditRequest as _tollgate_v1_AddCreditRequest, AddCreditRequest__Output as _tollgate_v1_AddCreditRequest__Output } from './tollgate/v1/AddCreditRequest.js';
import type { ApiKey as _tollgate_v1_ApiKey, ApiKey__Output as _tollgate_v1_ApiKey__Output } from './tollgate/v1/ApiKey.js';
import type { Balance as _tollgate_v1_Balance, Balance__Output as _tollgate_v1_Balance__Output } from './tollgate/v1/Balance.js';
import type { CreateApiKeyRequest as _tollgate_v1_CreateApiKeyRequest, CreateApiKeyRequest__Output as _tollgate_v1_CreateApiKeyRequest__Output } from './tollgate/v1/CreateApiKeyRequest.js';
import type { CreateApiKeyResponse as _tollgate_v1_CreateApiKeyResponse, CreateApiKeyResponse__Output as _tollgate_v1_CreateApiKeyResponse__Output } from './tollgate/v1/CreateApiKeyResponse.js';
import type { CreateTenantRequest as _tollgate_v1_CreateTenantRequest, CreateTenantRequest__Output as _tollgate_v1_CreateTenantRequest__Output } from './tollgate/v1/CreateTenantRequest.js';
import type { FinalizeInvoiceRequest as _tollgate_v1_FinalizeInvoiceRequest, FinalizeInvoiceRequest__Output as _tollgate_v1_FinalizeInvoiceRequest__Output } from './tollgate/v1/FinalizeInvoiceRequest.js';
import type { GetBalanceRequest as _tollgate_v1_GetBalanceRequest, GetBalanceRequest__Output as _tollgate_v1_GetBalanceRequest__Output } from './tollgate/v1/GetBalanceRequest.js';
import type { GetInvoiceRequest as _tollgate_v1_GetInvoiceRequest, GetInvoiceRequest__Output as _tollgate_v1_GetInvoiceRequest__Output } from './tollgate/v1/GetInvoiceRequest.js';
import type { GetTenantRequest as _tollgate_v1_GetTenantRequest, GetTenantRequest__Output as _tollgate_v1_GetTenantRequest__Output } from './tollgate/v1/GetTenantRequest.js';
import type { Invoice as _tollgate_v1_Invoice, Invoice__Output as _tollgate_v1_Invoice__Output } from './tollgate/v1/Invoice.js';
import type { InvoiceLine as _tollgate_v1_InvoiceLine, InvoiceLine__Output as _tollgate_v1_InvoiceLine__Output } from './tollgate/v1/InvoiceLine.js';
import type { LedgerServiceClient as _tollgate_v1_LedgerServiceClient, LedgerServiceDefinition as _tollgate_v1_LedgerServiceDefinition } from './tollgate/v1/LedgerService.js';
import type { LedgerTransaction as _tollgate_v1_LedgerTransaction, LedgerTransaction__Output as _tollgate_v1_LedgerTransaction__Output } from './tollgate/v1/LedgerTransaction.js';
import type { ListApiKeysRequest as _tollgate_v1_ListApiKeysRequest, ListApiKeysRequest__Output as _tollgate_v1_ListApiKeysRequest__Output } from './tollgate/v1/ListApiKeysRequest.js';
import type { ListApiKeysResponse as _tollgate_v1_ListApiKeysResponse, ListApiKeysResponse__Output as _tollgate_v1_ListApiKeysResponse__Output } from './tollgate/v1/ListApiKeysResponse.js';
import type { ListInvoicesRequest as _tollgate_v1_ListInvoicesRequest, ListInvoicesRequest__Output as _tollgate_v1_ListInvoicesRequest__Output } from './tollgate/v1/ListInvoicesRequest.js';
import type { ListInvoicesResponse as _tollgate_v1_ListInvoicesResponse, ListInvoicesResponse__Output as _tollgate_v1_ListInvoicesResponse__Output } from './tollgate/v1/ListInvoicesResponse.js';
import type { Posting as _tollgate_v1_Posting, Posting__Output as _tollgate_v1_Posting__Output } from './tollgate/v1/Posting.js';
import type { PreviewInvoiceRequest as _tollgate_v1_PreviewInvoiceRequest, PreviewInvoiceRequest__Output as _tollgate_v1_PreviewInvoiceRequest__Output } from './tollgate/v1/PreviewInvoiceRequest.js';
import type { RateUsageRequest as _tollgate_v1_RateUsageRequest, RateUsageRequest__Output as _tollgate_v1_RateUsageRequest__Output } from './tollgate/v1/RateUsageRequest.js';
import type { RateUsageResponse as _tollgate_v1_RateUsageResponse, RateUsageResponse__Output as _tollgate_v1_RateUsageResponse__Output } from './tollgate/v1/RateUsageResponse.js';
import type { RecordPaymentRequest as _tollgate_v1_RecordPaymentRequest, RecordPaymentRequest__Output as _tollgate_v1_RecordPaymentRequest__Output } from './tollgate/v1/RecordPaymentRequest.js';
import type { RefundRequest as _tollgate_v1_RefundRequest, RefundRequest__Output as _tollgate_v1_RefundRequest__Output } from './tollgate/v1/RefundRequest.js';
import type { RevokeApiKeyRequest as _tollgate_v1_RevokeApiKeyRequest, RevokeApiKeyRequest__Output as _tollgate_v1_RevokeApiKeyRequest__Output } from './tollgate/v1/RevokeApiKeyRequest.js';
import type { Subscription as _tollgate_v1_Subscription, Subscription__Output as _tollgate_v1_Subscription__Output } from './tollgate/v1/Subscription.js';
import type { TenantState as _tollgate_v1_TenantState, TenantState__Output as _tollgate_v1_TenantState__Output } from './tollgate/v1/TenantState.js';
import type { UpdateSubscriptionRequest as _tollgate_v1_UpdateSubscriptionRequest, UpdateSubscriptionRequest__Output as _tollgate_v1_UpdateSubscriptionRequest__Output } from './tollgate/v1/UpdateSubscriptionRequest.js';
import type { VerifyLedgerRequest as _tollgate_v1_VerifyLedgerRequest, VerifyLedgerRequest__Output as _tollgate_v1_VerifyLedgerRequest__Output } from './tollgate/v1/VerifyLedgerRequest.js';
import type { VerifyLedgerResponse as _tollgate_v1_VerifyLedgerResponse, VerifyLedgerResponse__Output as _tollgate_v1_VerifyLedgerResponse__Output } from './tollgate/v1/VerifyLedgerResponse.js';
import type { VoidInvoiceRequest as _tollgate_v1_VoidInvoiceRequest, VoidInvoiceRequest__Output as _tollgate_v1_VoidInvoiceRequest__Output } from './tollgate/v1/VoidInvoiceRequest.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  tollgate: {
    v1: {
      AddCreditRequest: MessageTypeDefinition<_tollgate_v1_AddCreditRequest, _tollgate_v1_AddCreditRequest__Output>
      ApiKey: MessageTypeDefinition<_tollgate_v1_ApiKey, _tollgate_v1_ApiKey__Output>
      Balance: MessageTypeDefinition<_tollgate_v1_Balance, _tollgate_v1_Balance__Output>
      CreateApiKeyRequest: MessageTypeDefinition<_tollgate_v1_CreateApiKeyRequest, _tollgate_v1_CreateApiKeyRequest__Output>
      CreateApiKeyResponse: MessageTypeDefinition<_tollgate_v1_CreateApiKeyResponse, _tollgate_v1_CreateApiKeyResponse__Output>
      CreateTenantRequest: MessageTypeDefinition<_tollgate_v1_CreateTenantRequest, _tollgate_v1_CreateTenantRequest__Output>
      FinalizeInvoiceRequest: MessageTypeDefinition<_tollgate_v1_FinalizeInvoiceRequest, _tollgate_v1_FinalizeInvoiceRequest__Output>
      GetBalanceRequest: MessageTypeDefinition<_tollgate_v1_GetBalanceRequest, _tollgate_v1_GetBalanceRequest__Output>
      GetInvoiceRequest: MessageTypeDefinition<_tollgate_v1_GetInvoiceRequest, _tollgate_v1_GetInvoiceRequest__Output>
      GetTenantRequest: MessageTypeDefinition<_tollgate_v1_GetTenantRequest, _tollgate_v1_GetTenantRequest__Output>
      Invoice: MessageTypeDefinition<_tollgate_v1_Invoice, _tollgate_v1_Invoice__Output>
      InvoiceLine: MessageTypeDefinition<_tollgate_v1_InvoiceLine, _tollgate_v1_InvoiceLine__Output>
      LedgerService: SubtypeConstructor<typeof grpc.Client, _tollgate_v1_LedgerServiceClient> & { service: _tollgate_v1_LedgerServiceDefinition }
      LedgerTransaction: MessageTypeDefinition<_tollgate_v1_LedgerTransaction, _tollgate_v1_LedgerTransaction__Output>
      ListApiKeysRequest: MessageTypeDefinition<_tollgate_v1_ListApiKeysRequest, _tollgate_v1_ListApiKeysRequest__Output>
      ListApiKeysResponse: MessageTypeDefinition<_tollgate_v1_ListApiKeysResponse, _tollgate_v1_ListApiKeysResponse__Output>
      ListInvoicesRequest: MessageTypeDefinition<_tollgate_v1_ListInvoicesRequest, _tollgate_v1_ListInvoicesRequest__Output>
      ListInvoicesResponse: MessageTypeDefinition<_tollgate_v1_ListInvoicesResponse, _tollgate_v1_ListInvoicesResponse__Output>
      Posting: MessageTypeDefinition<_tollgate_v1_Posting, _tollgate_v1_Posting__Output>
      PreviewInvoiceRequest: MessageTypeDefinition<_tollgate_v1_PreviewInvoiceRequest, _tollgate_v1_PreviewInvoiceRequest__Output>
      RateUsageRequest: MessageTypeDefinition<_tollgate_v1_RateUsageRequest, _tollgate_v1_RateUsageRequest__Output>
      RateUsageResponse: MessageTypeDefinition<_tollgate_v1_RateUsageResponse, _tollgate_v1_RateUsageResponse__Output>
      RecordPaymentRequest: MessageTypeDefinition<_tollgate_v1_RecordPaymentRequest, _tollgate_v1_RecordPaymentRequest__Output>
      RefundRequest: MessageTypeDefinition<_tollgate_v1_RefundRequest, _tollgate_v1_RefundRequest__Output>
      RevokeApiKeyRequest: MessageTypeDefinition<_tollgate_v1_RevokeApiKeyRequest, _tollgate_v1_RevokeApiKeyRequest__Output>
      Subscription: MessageTypeDefinition<_tollgate_v1_Subscription, _tollgate_v1_Subscription__Output>
      TenantState: MessageTypeDefinition<_tollgate_v1_TenantState, _tollgate_v1_TenantState__Output>
      UpdateSubscriptionRequest: MessageTypeDefinition<_tollgate_v1_UpdateSubscriptionRequest, _tollgate_v1_UpdateSubscriptionRequest__Output>
      VerifyLedgerRequest: MessageTypeDefinition<_tollgate_v1_VerifyLedgerRequest, _tollgate_v1_VerifyLedgerRequest__Output>
      VerifyLedgerResponse: MessageTypeDefinition<_tollgate_v1_VerifyLedgerResponse, _tollgate_v1_VerifyLedgerResponse__Output>
      VoidInvoiceRequest: MessageTypeDefinition<_tollgate_v1_VoidInvoiceRequest, _tollgate_v1_VoidInvoiceRequest__Output>
    }
  }
}


// Original file: proto/tollgate/v1/ledger.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AddCreditRequest as _tollgate_v1_AddCreditRequest, AddCreditRequest__Output as _tollgate_v1_AddCreditRequest__Output } from '../../tollgate/v1/AddCreditRequest.js';
import type { ApiKey as _tollgate_v1_ApiKey, ApiKey__Output as _tollgate_v1_ApiKey__Output } from '../../tollgate/v1/ApiKey.js';
import type { Balance as _tollgate_v1_Balance, Balance__Output as _tollgate_v1_Balance__Output } from '../../tollgate/v1/Balance.js';
import type { CreateApiKeyRequest as _tollgate_v1_CreateApiKeyRequest, CreateApiKeyRequest__Output as _tollgate_v1_CreateApiKeyRequest__Output } from '../../tollgate/v1/CreateApiKeyRequest.js';
import type { CreateApiKeyResponse as _tollgate_v1_CreateApiKeyResponse, CreateApiKeyResponse__Output as _tollgate_v1_CreateApiKeyResponse__Output } from '../../tollgate/v1/CreateApiKeyResponse.js';
import type { CreateTenantRequest as _tollgate_v1_CreateTenantRequest, CreateTenantRequest__Output as _tollgate_v1_CreateTenantRequest__Output } from '../../tollgate/v1/CreateTenantRequest.js';
import type { FinalizeInvoiceRequest as _tollgate_v1_FinalizeInvoiceRequest, FinalizeInvoiceRequest__Output as _tollgate_v1_FinalizeInvoiceRequest__Output } from '../../tollgate/v1/FinalizeInvoiceRequest.js';
import type { GetBalanceRequest as _tollgate_v1_GetBalanceRequest, GetBalanceRequest__Output as _tollgate_v1_GetBalanceRequest__Output } from '../../tollgate/v1/GetBalanceRequest.js';
import type { GetInvoiceRequest as _tollgate_v1_GetInvoiceRequest, GetInvoiceRequest__Output as _tollgate_v1_GetInvoiceRequest__Output } from '../../tollgate/v1/GetInvoiceRequest.js';
import type { GetTenantRequest as _tollgate_v1_GetTenantRequest, GetTenantRequest__Output as _tollgate_v1_GetTenantRequest__Output } from '../../tollgate/v1/GetTenantRequest.js';
import type { Invoice as _tollgate_v1_Invoice, Invoice__Output as _tollgate_v1_Invoice__Output } from '../../tollgate/v1/Invoice.js';
import type { LedgerTransaction as _tollgate_v1_LedgerTransaction, LedgerTransaction__Output as _tollgate_v1_LedgerTransaction__Output } from '../../tollgate/v1/LedgerTransaction.js';
import type { ListApiKeysRequest as _tollgate_v1_ListApiKeysRequest, ListApiKeysRequest__Output as _tollgate_v1_ListApiKeysRequest__Output } from '../../tollgate/v1/ListApiKeysRequest.js';
import type { ListApiKeysResponse as _tollgate_v1_ListApiKeysResponse, ListApiKeysResponse__Output as _tollgate_v1_ListApiKeysResponse__Output } from '../../tollgate/v1/ListApiKeysResponse.js';
import type { ListInvoicesRequest as _tollgate_v1_ListInvoicesRequest, ListInvoicesRequest__Output as _tollgate_v1_ListInvoicesRequest__Output } from '../../tollgate/v1/ListInvoicesRequest.js';
import type { ListInvoicesResponse as _tollgate_v1_ListInvoicesResponse, ListInvoicesResponse__Output as _tollgate_v1_ListInvoicesResponse__Output } from '../../tollgate/v1/ListInvoicesResponse.js';
import type { PreviewInvoiceRequest as _tollgate_v1_PreviewInvoiceRequest, PreviewInvoiceRequest__Output as _tollgate_v1_PreviewInvoiceRequest__Output } from '../../tollgate/v1/PreviewInvoiceRequest.js';
import type { RateUsageRequest as _tollgate_v1_RateUsageRequest, RateUsageRequest__Output as _tollgate_v1_RateUsageRequest__Output } from '../../tollgate/v1/RateUsageRequest.js';
import type { RateUsageResponse as _tollgate_v1_RateUsageResponse, RateUsageResponse__Output as _tollgate_v1_RateUsageResponse__Output } from '../../tollgate/v1/RateUsageResponse.js';
import type { RecordPaymentRequest as _tollgate_v1_RecordPaymentRequest, RecordPaymentRequest__Output as _tollgate_v1_RecordPaymentRequest__Output } from '../../tollgate/v1/RecordPaymentRequest.js';
import type { RefundRequest as _tollgate_v1_RefundRequest, RefundRequest__Output as _tollgate_v1_RefundRequest__Output } from '../../tollgate/v1/RefundRequest.js';
import type { RevokeApiKeyRequest as _tollgate_v1_RevokeApiKeyRequest, RevokeApiKeyRequest__Output as _tollgate_v1_RevokeApiKeyRequest__Output } from '../../tollgate/v1/RevokeApiKeyRequest.js';
import type { TenantState as _tollgate_v1_TenantState, TenantState__Output as _tollgate_v1_TenantState__Output } from '../../tollgate/v1/TenantState.js';
import type { UpdateSubscriptionRequest as _tollgate_v1_UpdateSubscriptionRequest, UpdateSubscriptionRequest__Output as _tollgate_v1_UpdateSubscriptionRequest__Output } from '../../tollgate/v1/UpdateSubscriptionRequest.js';
import type { VerifyLedgerRequest as _tollgate_v1_VerifyLedgerRequest, VerifyLedgerRequest__Output as _tollgate_v1_VerifyLedgerRequest__Output } from '../../tollgate/v1/VerifyLedgerRequest.js';
import type { VerifyLedgerResponse as _tollgate_v1_VerifyLedgerResponse, VerifyLedgerResponse__Output as _tollgate_v1_VerifyLedgerResponse__Output } from '../../tollgate/v1/VerifyLedgerResponse.js';
import type { VoidInvoiceRequest as _tollgate_v1_VoidInvoiceRequest, VoidInvoiceRequest__Output as _tollgate_v1_VoidInvoiceRequest__Output } from '../../tollgate/v1/VoidInvoiceRequest.js';

export interface LedgerServiceClient extends grpc.Client {
  AddCredit(argument: _tollgate_v1_AddCreditRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_LedgerTransaction__Output>): grpc.ClientUnaryCall;
  AddCredit(argument: _tollgate_v1_AddCreditRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tollgate_v1_LedgerTransaction__Output>): grpc.ClientUnaryCall;
  AddCredit(argument: _tollgate_v1_AddCreditRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_LedgerTransaction__Output>): grpc.ClientUnaryCall;
  AddCredit(argument: _tollgate_v1_AddCreditRequest, callback: grpc.requestCallback<_tollgate_v1_LedgerTransaction__Output>): grpc.ClientUnaryCall;
  addCredit(argument: _tollgate_v1_AddCreditRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_LedgerTransaction__Output>): grpc.ClientUnaryCall;
  addCredit(argument: _tollgate_v1_AddCreditRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tollgate_v1_LedgerTransaction__Output>): grpc.ClientUnaryCall;
  addCredit(argument: _tollgate_v1_AddCreditRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_LedgerTransaction__Output>): grpc.ClientUnaryCall;
  addCredit(argument: _tollgate_v1_AddCreditRequest, callback: grpc.requestCallback<_tollgate_v1_LedgerTransaction__Output>): grpc.ClientUnaryCall;
  
  CreateApiKey(argument: _tollgate_v1_CreateApiKeyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_CreateApiKeyResponse__Output>): grpc.ClientUnaryCall;
  CreateApiKey(argument: _tollgate_v1_CreateApiKeyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tollgate_v1_CreateApiKeyResponse__Output>): grpc.ClientUnaryCall;
  CreateApiKey(argument: _tollgate_v1_CreateApiKeyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_CreateApiKeyResponse__Output>): grpc.ClientUnaryCall;
  CreateApiKey(argument: _tollgate_v1_CreateApiKeyRequest, callback: grpc.requestCallback<_tollgate_v1_CreateApiKeyResponse__Output>): grpc.ClientUnaryCall;
  createApiKey(argument: _tollgate_v1_CreateApiKeyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_CreateApiKeyResponse__Output>): grpc.ClientUnaryCall;
  createApiKey(argument: _tollgate_v1_CreateApiKeyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tollgate_v1_CreateApiKeyResponse__Output>): grpc.ClientUnaryCall;
  createApiKey(argument: _tollgate_v1_CreateApiKeyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_CreateApiKeyResponse__Output>): grpc.ClientUnaryCall;
  createApiKey(argument: _tollgate_v1_CreateApiKeyRequest, callback: grpc.requestCallback<_tollgate_v1_CreateApiKeyResponse__Output>): grpc.ClientUnaryCall;
  
  CreateTenant(argument: _tollgate_v1_CreateTenantRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_TenantState__Output>): grpc.ClientUnaryCall;
  CreateTenant(argument: _tollgate_v1_CreateTenantRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tollgate_v1_TenantState__Output>): grpc.ClientUnaryCall;
  CreateTenant(argument: _tollgate_v1_CreateTenantRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_TenantState__Output>): grpc.ClientUnaryCall;
  CreateTenant(argument: _tollgate_v1_CreateTenantRequest, callback: grpc.requestCallback<_tollgate_v1_TenantState__Output>): grpc.ClientUnaryCall;
  createTenant(argument: _tollgate_v1_CreateTenantRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_TenantState__Output>): grpc.ClientUnaryCall;
  createTenant(argument: _tollgate_v1_CreateTenantRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tollgate_v1_TenantState__Output>): grpc.ClientUnaryCall;
  createTenant(argument: _tollgate_v1_CreateTenantRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_TenantState__Output>): grpc.ClientUnaryCall;
  createTenant(argument: _tollgate_v1_CreateTenantRequest, callback: grpc.requestCallback<_tollgate_v1_TenantState__Output>): grpc.ClientUnaryCall;
  
  FinalizeInvoice(argument: _tollgate_v1_FinalizeInvoiceRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_Invoice__Output>): grpc.ClientUnaryCall;
  FinalizeInvoice(argument: _tollgate_v1_FinalizeInvoiceRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tollgate_v1_Invoice__Output>): grpc.ClientUnaryCall;
  FinalizeInvoice(argument: _tollgate_v1_FinalizeInvoiceRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_Invoice__Output>): grpc.ClientUnaryCall;
  FinalizeInvoice(argument: _tollgate_v1_FinalizeInvoiceRequest, callback: grpc.requestCallback<_tollgate_v1_Invoice__Output>): grpc.ClientUnaryCall;
  finalizeInvoice(argument: _tollgate_v1_FinalizeInvoiceRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_Invoice__Output>): grpc.ClientUnaryCall;
  finalizeInvoice(argument: _tollgate_v1_FinalizeInvoiceRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tollgate_v1_Invoice__Output>): grpc.ClientUnaryCall;
  finalizeInvoice(argument: _tollgate_v1_FinalizeInvoiceRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_Invoice__Output>): grpc.ClientUnaryCall;
  finalizeInvoice(argument: _tollgate_v1_FinalizeInvoiceRequest, callback: grpc.requestCallback<_tollgate_v1_Invoice__Output>): grpc.ClientUnaryCall;
  
  GetBalance(argument: _tollgate_v1_GetBalanceRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_Balance__Output>): grpc.ClientUnaryCall;
  GetBalance(argument: _tollgate_v1_GetBalanceRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tollgate_v1_Balance__Output>): grpc.ClientUnaryCall;
  GetBalance(argument: _tollgate_v1_GetBalanceRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_Balance__Output>): grpc.ClientUnaryCall;
  GetBalance(argument: _tollgate_v1_GetBalanceRequest, callback: grpc.requestCallback<_tollgate_v1_Balance__Output>): grpc.ClientUnaryCall;
  getBalance(argument: _tollgate_v1_GetBalanceRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_Balance__Output>): grpc.ClientUnaryCall;
  getBalance(argument: _tollgate_v1_GetBalanceRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tollgate_v1_Balance__Output>): grpc.ClientUnaryCall;
  getBalance(argument: _tollgate_v1_GetBalanceRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_Balance__Output>): grpc.ClientUnaryCall;
  getBalance(argument: _tollgate_v1_GetBalanceRequest, callback: grpc.requestCallback<_tollgate_v1_Balance__Output>): grpc.ClientUnaryCall;
  
  GetInvoice(argument: _tollgate_v1_GetInvoiceRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_Invoice__Output>): grpc.ClientUnaryCall;
  GetInvoice(argument: _tollgate_v1_GetInvoiceRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tollgate_v1_Invoice__Output>): grpc.ClientUnaryCall;
  GetInvoice(argument: _tollgate_v1_GetInvoiceRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_Invoice__Output>): grpc.ClientUnaryCall;
  GetInvoice(argument: _tollgate_v1_GetInvoiceRequest, callback: grpc.requestCallback<_tollgate_v1_Invoice__Output>): grpc.ClientUnaryCall;
  getInvoice(argument: _tollgate_v1_GetInvoiceRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_Invoice__Output>): grpc.ClientUnaryCall;
  getInvoice(argument: _tollgate_v1_GetInvoiceRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tollgate_v1_Invoice__Output>): grpc.ClientUnaryCall;
  getInvoice(argument: _tollgate_v1_GetInvoiceRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_Invoice__Output>): grpc.ClientUnaryCall;
  getInvoice(argument: _tollgate_v1_GetInvoiceRequest, callback: grpc.requestCallback<_tollgate_v1_Invoice__Output>): grpc.ClientUnaryCall;
  
  GetTenant(argument: _tollgate_v1_GetTenantRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_TenantState__Output>): grpc.ClientUnaryCall;
  GetTenant(argument: _tollgate_v1_GetTenantRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tollgate_v1_TenantState__Output>): grpc.ClientUnaryCall;
  GetTenant(argument: _tollgate_v1_GetTenantRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_TenantState__Output>): grpc.ClientUnaryCall;
  GetTenant(argument: _tollgate_v1_GetTenantRequest, callback: grpc.requestCallback<_tollgate_v1_TenantState__Output>): grpc.ClientUnaryCall;
  getTenant(argument: _tollgate_v1_GetTenantRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_TenantState__Output>): grpc.ClientUnaryCall;
  getTenant(argument: _tollgate_v1_GetTenantRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tollgate_v1_TenantState__Output>): grpc.ClientUnaryCall;
  getTenant(argument: _tollgate_v1_GetTenantRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_TenantState__Output>): grpc.ClientUnaryCall;
  getTenant(argument: _tollgate_v1_GetTenantRequest, callback: grpc.requestCallback<_tollgate_v1_TenantState__Output>): grpc.ClientUnaryCall;
  
  ListApiKeys(argument: _tollgate_v1_ListApiKeysRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_ListApiKeysResponse__Output>): grpc.ClientUnaryCall;
  ListApiKeys(argument: _tollgate_v1_ListApiKeysRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tollgate_v1_ListApiKeysResponse__Output>): grpc.ClientUnaryCall;
  ListApiKeys(argument: _tollgate_v1_ListApiKeysRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_ListApiKeysResponse__Output>): grpc.ClientUnaryCall;
  ListApiKeys(argument: _tollgate_v1_ListApiKeysRequest, callback: grpc.requestCallback<_tollgate_v1_ListApiKeysResponse__Output>): grpc.ClientUnaryCall;
  listApiKeys(argument: _tollgate_v1_ListApiKeysRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_ListApiKeysResponse__Output>): grpc.ClientUnaryCall;
  listApiKeys(argument: _tollgate_v1_ListApiKeysRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tollgate_v1_ListApiKeysResponse__Output>): grpc.ClientUnaryCall;
  listApiKeys(argument: _tollgate_v1_ListApiKeysRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_ListApiKeysResponse__Output>): grpc.ClientUnaryCall;
  listApiKeys(argument: _tollgate_v1_ListApiKeysRequest, callback: grpc.requestCallback<_tollgate_v1_ListApiKeysResponse__Output>): grpc.ClientUnaryCall;
  
  ListInvoices(argument: _tollgate_v1_ListInvoicesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_ListInvoicesResponse__Output>): grpc.ClientUnaryCall;
  ListInvoices(argument: _tollgate_v1_ListInvoicesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tollgate_v1_ListInvoicesResponse__Output>): grpc.ClientUnaryCall;
  ListInvoices(argument: _tollgate_v1_ListInvoicesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_ListInvoicesResponse__Output>): grpc.ClientUnaryCall;
  ListInvoices(argument: _tollgate_v1_ListInvoicesRequest, callback: grpc.requestCallback<_tollgate_v1_ListInvoicesResponse__Output>): grpc.ClientUnaryCall;
  listInvoices(argument: _tollgate_v1_ListInvoicesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_ListInvoicesResponse__Output>): grpc.ClientUnaryCall;
  listInvoices(argument: _tollgate_v1_ListInvoicesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tollgate_v1_ListInvoicesResponse__Output>): grpc.ClientUnaryCall;
  listInvoices(argument: _tollgate_v1_ListInvoicesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_ListInvoicesResponse__Output>): grpc.ClientUnaryCall;
  listInvoices(argument: _tollgate_v1_ListInvoicesRequest, callback: grpc.requestCallback<_tollgate_v1_ListInvoicesResponse__Output>): grpc.ClientUnaryCall;
  
  PreviewInvoice(argument: _tollgate_v1_PreviewInvoiceRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_Invoice__Output>): grpc.ClientUnaryCall;
  PreviewInvoice(argument: _tollgate_v1_PreviewInvoiceRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tollgate_v1_Invoice__Output>): grpc.ClientUnaryCall;
  PreviewInvoice(argument: _tollgate_v1_PreviewInvoiceRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_Invoice__Output>): grpc.ClientUnaryCall;
  PreviewInvoice(argument: _tollgate_v1_PreviewInvoiceRequest, callback: grpc.requestCallback<_tollgate_v1_Invoice__Output>): grpc.ClientUnaryCall;
  previewInvoice(argument: _tollgate_v1_PreviewInvoiceRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_Invoice__Output>): grpc.ClientUnaryCall;
  previewInvoice(argument: _tollgate_v1_PreviewInvoiceRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tollgate_v1_Invoice__Output>): grpc.ClientUnaryCall;
  previewInvoice(argument: _tollgate_v1_PreviewInvoiceRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_Invoice__Output>): grpc.ClientUnaryCall;
  previewInvoice(argument: _tollgate_v1_PreviewInvoiceRequest, callback: grpc.requestCallback<_tollgate_v1_Invoice__Output>): grpc.ClientUnaryCall;
  
  RateUsage(argument: _tollgate_v1_RateUsageRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_RateUsageResponse__Output>): grpc.ClientUnaryCall;
  RateUsage(argument: _tollgate_v1_RateUsageRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tollgate_v1_RateUsageResponse__Output>): grpc.ClientUnaryCall;
  RateUsage(argument: _tollgate_v1_RateUsageRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_RateUsageResponse__Output>): grpc.ClientUnaryCall;
  RateUsage(argument: _tollgate_v1_RateUsageRequest, callback: grpc.requestCallback<_tollgate_v1_RateUsageResponse__Output>): grpc.ClientUnaryCall;
  rateUsage(argument: _tollgate_v1_RateUsageRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_RateUsageResponse__Output>): grpc.ClientUnaryCall;
  rateUsage(argument: _tollgate_v1_RateUsageRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tollgate_v1_RateUsageResponse__Output>): grpc.ClientUnaryCall;
  rateUsage(argument: _tollgate_v1_RateUsageRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_RateUsageResponse__Output>): grpc.ClientUnaryCall;
  rateUsage(argument: _tollgate_v1_RateUsageRequest, callback: grpc.requestCallback<_tollgate_v1_RateUsageResponse__Output>): grpc.ClientUnaryCall;
  
  RecordPayment(argument: _tollgate_v1_RecordPaymentRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_LedgerTransaction__Output>): grpc.ClientUnaryCall;
  RecordPayment(argument: _tollgate_v1_RecordPaymentRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tollgate_v1_LedgerTransaction__Output>): grpc.ClientUnaryCall;
  RecordPayment(argument: _tollgate_v1_RecordPaymentRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_LedgerTransaction__Output>): grpc.ClientUnaryCall;
  RecordPayment(argument: _tollgate_v1_RecordPaymentRequest, callback: grpc.requestCallback<_tollgate_v1_LedgerTransaction__Output>): grpc.ClientUnaryCall;
  recordPayment(argument: _tollgate_v1_RecordPaymentRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_LedgerTransaction__Output>): grpc.ClientUnaryCall;
  recordPayment(argument: _tollgate_v1_RecordPaymentRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tollgate_v1_LedgerTransaction__Output>): grpc.ClientUnaryCall;
  recordPayment(argument: _tollgate_v1_RecordPaymentRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_LedgerTransaction__Output>): grpc.ClientUnaryCall;
  recordPayment(argument: _tollgate_v1_RecordPaymentRequest, callback: grpc.requestCallback<_tollgate_v1_LedgerTransaction__Output>): grpc.ClientUnaryCall;
  
  Refund(argument: _tollgate_v1_RefundRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_LedgerTransaction__Output>): grpc.ClientUnaryCall;
  Refund(argument: _tollgate_v1_RefundRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tollgate_v1_LedgerTransaction__Output>): grpc.ClientUnaryCall;
  Refund(argument: _tollgate_v1_RefundRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_LedgerTransaction__Output>): grpc.ClientUnaryCall;
  Refund(argument: _tollgate_v1_RefundRequest, callback: grpc.requestCallback<_tollgate_v1_LedgerTransaction__Output>): grpc.ClientUnaryCall;
  refund(argument: _tollgate_v1_RefundRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_LedgerTransaction__Output>): grpc.ClientUnaryCall;
  refund(argument: _tollgate_v1_RefundRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tollgate_v1_LedgerTransaction__Output>): grpc.ClientUnaryCall;
  refund(argument: _tollgate_v1_RefundRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_LedgerTransaction__Output>): grpc.ClientUnaryCall;
  refund(argument: _tollgate_v1_RefundRequest, callback: grpc.requestCallback<_tollgate_v1_LedgerTransaction__Output>): grpc.ClientUnaryCall;
  
  RevokeApiKey(argument: _tollgate_v1_RevokeApiKeyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_ApiKey__Output>): grpc.ClientUnaryCall;
  RevokeApiKey(argument: _tollgate_v1_RevokeApiKeyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tollgate_v1_ApiKey__Output>): grpc.ClientUnaryCall;
  RevokeApiKey(argument: _tollgate_v1_RevokeApiKeyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_ApiKey__Output>): grpc.ClientUnaryCall;
  RevokeApiKey(argument: _tollgate_v1_RevokeApiKeyRequest, callback: grpc.requestCallback<_tollgate_v1_ApiKey__Output>): grpc.ClientUnaryCall;
  revokeApiKey(argument: _tollgate_v1_RevokeApiKeyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_ApiKey__Output>): grpc.ClientUnaryCall;
  revokeApiKey(argument: _tollgate_v1_RevokeApiKeyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tollgate_v1_ApiKey__Output>): grpc.ClientUnaryCall;
  revokeApiKey(argument: _tollgate_v1_RevokeApiKeyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_ApiKey__Output>): grpc.ClientUnaryCall;
  revokeApiKey(argument: _tollgate_v1_RevokeApiKeyRequest, callback: grpc.requestCallback<_tollgate_v1_ApiKey__Output>): grpc.ClientUnaryCall;
  
  UpdateSubscription(argument: _tollgate_v1_UpdateSubscriptionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_TenantState__Output>): grpc.ClientUnaryCall;
  UpdateSubscription(argument: _tollgate_v1_UpdateSubscriptionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tollgate_v1_TenantState__Output>): grpc.ClientUnaryCall;
  UpdateSubscription(argument: _tollgate_v1_UpdateSubscriptionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_TenantState__Output>): grpc.ClientUnaryCall;
  UpdateSubscription(argument: _tollgate_v1_UpdateSubscriptionRequest, callback: grpc.requestCallback<_tollgate_v1_TenantState__Output>): grpc.ClientUnaryCall;
  updateSubscription(argument: _tollgate_v1_UpdateSubscriptionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_TenantState__Output>): grpc.ClientUnaryCall;
  updateSubscription(argument: _tollgate_v1_UpdateSubscriptionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tollgate_v1_TenantState__Output>): grpc.ClientUnaryCall;
  updateSubscription(argument: _tollgate_v1_UpdateSubscriptionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_TenantState__Output>): grpc.ClientUnaryCall;
  updateSubscription(argument: _tollgate_v1_UpdateSubscriptionRequest, callback: grpc.requestCallback<_tollgate_v1_TenantState__Output>): grpc.ClientUnaryCall;
  
  VerifyLedger(argument: _tollgate_v1_VerifyLedgerRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_VerifyLedgerResponse__Output>): grpc.ClientUnaryCall;
  VerifyLedger(argument: _tollgate_v1_VerifyLedgerRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tollgate_v1_VerifyLedgerResponse__Output>): grpc.ClientUnaryCall;
  VerifyLedger(argument: _tollgate_v1_VerifyLedgerRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_VerifyLedgerResponse__Output>): grpc.ClientUnaryCall;
  VerifyLedger(argument: _tollgate_v1_VerifyLedgerRequest, callback: grpc.requestCallback<_tollgate_v1_VerifyLedgerResponse__Output>): grpc.ClientUnaryCall;
  verifyLedger(argument: _tollgate_v1_VerifyLedgerRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_VerifyLedgerResponse__Output>): grpc.ClientUnaryCall;
  verifyLedger(argument: _tollgate_v1_VerifyLedgerRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tollgate_v1_VerifyLedgerResponse__Output>): grpc.ClientUnaryCall;
  verifyLedger(argument: _tollgate_v1_VerifyLedgerRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_VerifyLedgerResponse__Output>): grpc.ClientUnaryCall;
  verifyLedger(argument: _tollgate_v1_VerifyLedgerRequest, callback: grpc.requestCallback<_tollgate_v1_VerifyLedgerResponse__Output>): grpc.ClientUnaryCall;
  
  VoidInvoice(argument: _tollgate_v1_VoidInvoiceRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_Invoice__Output>): grpc.ClientUnaryCall;
  VoidInvoice(argument: _tollgate_v1_VoidInvoiceRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tollgate_v1_Invoice__Output>): grpc.ClientUnaryCall;
  VoidInvoice(argument: _tollgate_v1_VoidInvoiceRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_Invoice__Output>): grpc.ClientUnaryCall;
  VoidInvoice(argument: _tollgate_v1_VoidInvoiceRequest, callback: grpc.requestCallback<_tollgate_v1_Invoice__Output>): grpc.ClientUnaryCall;
  voidInvoice(argument: _tollgate_v1_VoidInvoiceRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_Invoice__Output>): grpc.ClientUnaryCall;
  voidInvoice(argument: _tollgate_v1_VoidInvoiceRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tollgate_v1_Invoice__Output>): grpc.ClientUnaryCall;
  voidInvoice(argument: _tollgate_v1_VoidInvoiceRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tollgate_v1_Invoice__Output>): grpc.ClientUnaryCall;
  voidInvoice(argument: _tollgate_v1_VoidInvoiceRequest, callback: grpc.requestCallback<_tollgate_v1_Invoice__Output>): grpc.ClientUnaryCall;
  
}

export interface LedgerServiceHandlers extends grpc.UntypedServiceImplementation {
  AddCredit: grpc.handleUnaryCall<_tollgate_v1_AddCreditRequest__Output, _tollgate_v1_LedgerTransaction>;
  
  CreateApiKey: grpc.handleUnaryCall<_tollgate_v1_CreateApiKeyRequest__Output, _tollgate_v1_CreateApiKeyResponse>;
  
  CreateTenant: grpc.handleUnaryCall<_tollgate_v1_CreateTenantRequest__Output, _tollgate_v1_TenantState>;
  
  FinalizeInvoice: grpc.handleUnaryCall<_tollgate_v1_FinalizeInvoiceRequest__Output, _tollgate_v1_Invoice>;
  
  GetBalance: grpc.handleUnaryCall<_tollgate_v1_GetBalanceRequest__Output, _tollgate_v1_Balance>;
  
  GetInvoice: grpc.handleUnaryCall<_tollgate_v1_GetInvoiceRequest__Output, _tollgate_v1_Invoice>;
  
  GetTenant: grpc.handleUnaryCall<_tollgate_v1_GetTenantRequest__Output, _tollgate_v1_TenantState>;
  
  ListApiKeys: grpc.handleUnaryCall<_tollgate_v1_ListApiKeysRequest__Output, _tollgate_v1_ListApiKeysResponse>;
  
  ListInvoices: grpc.handleUnaryCall<_tollgate_v1_ListInvoicesRequest__Output, _tollgate_v1_ListInvoicesResponse>;
  
  PreviewInvoice: grpc.handleUnaryCall<_tollgate_v1_PreviewInvoiceRequest__Output, _tollgate_v1_Invoice>;
  
  RateUsage: grpc.handleUnaryCall<_tollgate_v1_RateUsageRequest__Output, _tollgate_v1_RateUsageResponse>;
  
  RecordPayment: grpc.handleUnaryCall<_tollgate_v1_RecordPaymentRequest__Output, _tollgate_v1_LedgerTransaction>;
  
  Refund: grpc.handleUnaryCall<_tollgate_v1_RefundRequest__Output, _tollgate_v1_LedgerTransaction>;
  
  RevokeApiKey: grpc.handleUnaryCall<_tollgate_v1_RevokeApiKeyRequest__Output, _tollgate_v1_ApiKey>;
  
  UpdateSubscription: grpc.handleUnaryCall<_tollgate_v1_UpdateSubscriptionRequest__Output, _tollgate_v1_TenantState>;
  
  VerifyLedger: grpc.handleUnaryCall<_tollgate_v1_VerifyLedgerRequest__Output, _tollgate_v1_VerifyLedgerResponse>;
  
  VoidInvoice: grpc.handleUnaryCall<_tollgate_v1_VoidInvoiceRequest__Output, _tollgate_v1_Invoice>;
  
}

export interface LedgerServiceDefinition extends grpc.ServiceDefinition {
  AddCredit: MethodDefinition<_tollgate_v1_AddCreditRequest, _tollgate_v1_LedgerTransaction, _tollgate_v1_AddCreditRequest__Output, _tollgate_v1_LedgerTransaction__Output>
  CreateApiKey: MethodDefinition<_tollgate_v1_CreateApiKeyRequest, _tollgate_v1_CreateApiKeyResponse, _tollgate_v1_CreateApiKeyRequest__Output, _tollgate_v1_CreateApiKeyResponse__Output>
  CreateTenant: MethodDefinition<_tollgate_v1_CreateTenantRequest, _tollgate_v1_TenantState, _tollgate_v1_CreateTenantRequest__Output, _tollgate_v1_TenantState__Output>
  FinalizeInvoice: MethodDefinition<_tollgate_v1_FinalizeInvoiceRequest, _tollgate_v1_Invoice, _tollgate_v1_FinalizeInvoiceRequest__Output, _tollgate_v1_Invoice__Output>
  GetBalance: MethodDefinition<_tollgate_v1_GetBalanceRequest, _tollgate_v1_Balance, _tollgate_v1_GetBalanceRequest__Output, _tollgate_v1_Balance__Output>
  GetInvoice: MethodDefinition<_tollgate_v1_GetInvoiceRequest, _tollgate_v1_Invoice, _tollgate_v1_GetInvoiceRequest__Output, _tollgate_v1_Invoice__Output>
  GetTenant: MethodDefinition<_tollgate_v1_GetTenantRequest, _tollgate_v1_TenantState, _tollgate_v1_GetTenantRequest__Output, _tollgate_v1_TenantState__Output>
  ListApiKeys: MethodDefinition<_tollgate_v1_ListApiKeysRequest, _tollgate_v1_ListApiKeysResponse, _tollgate_v1_ListApiKeysRequest__Output, _tollgate_v1_ListApiKeysResponse__Output>
  ListInvoices: MethodDefinition<_tollgate_v1_ListInvoicesRequest, _tollgate_v1_ListInvoicesResponse, _tollgate_v1_ListInvoicesRequest__Output, _tollgate_v1_ListInvoicesResponse__Output>
  PreviewInvoice: MethodDefinition<_tollgate_v1_PreviewInvoiceRequest, _tollgate_v1_Invoice, _tollgate_v1_PreviewInvoiceRequest__Output, _tollgate_v1_Invoice__Output>
  RateUsage: MethodDefinition<_tollgate_v1_RateUsageRequest, _tollgate_v1_RateUsageResponse, _tollgate_v1_RateUsageRequest__Output, _tollgate_v1_RateUsageResponse__Output>
  RecordPayment: MethodDefinition<_tollgate_v1_RecordPaymentRequest, _tollgate_v1_LedgerTransaction, _tollgate_v1_RecordPaymentRequest__Output, _tollgate_v1_LedgerTransaction__Output>
  Refund: MethodDefinition<_tollgate_v1_RefundRequest, _tollgate_v1_LedgerTransaction, _tollgate_v1_RefundRequest__Output, _tollgate_v1_LedgerTransaction__Output>
  RevokeApiKey: MethodDefinition<_tollgate_v1_RevokeApiKeyRequest, _tollgate_v1_ApiKey, _tollgate_v1_RevokeApiKeyRequest__Output, _tollgate_v1_ApiKey__Output>
  UpdateSubscription: MethodDefinition<_tollgate_v1_UpdateSubscriptionRequest, _tollgate_v1_TenantState, _tollgate_v1_UpdateSubscriptionRequest__Output, _tollgate_v1_TenantState__Output>
  VerifyLedger: MethodDefinition<_tollgate_v1_VerifyLedgerRequest, _tollgate_v1_VerifyLedgerResponse, _tollgate_v1_VerifyLedgerRequest__Output, _tollgate_v1_VerifyLedgerResponse__Output>
  VoidInvoice: MethodDefinition<_tollgate_v1_VoidInvoiceRequest, _tollgate_v1_Invoice, _tollgate_v1_VoidInvoiceRequest__Output, _tollgate_v1_Invoice__Output>
}

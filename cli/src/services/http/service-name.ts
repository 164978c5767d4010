/** The two services the CLI talks to, named as people know them in messages. */
export type ServiceName = 'user-service' | 'transactions-service';
